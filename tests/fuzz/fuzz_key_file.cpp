// libFuzzer target: key files. The input is read as a key file (PEM, then
// cosign's encrypted JSON or PKCS#8 DER) and as the encrypted JSON alone;
// whatever parses must write back to JSON that parses to the same fields.
// Decryption is not reached: no passphrase source answers, and scrypt's cost
// would stall the fuzzer anyway.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "trust/ec_key.hpp"
#include "trust/key_file.hpp"
#include "trust/pem.hpp"

using namespace distill;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_json(std::string_view text) {
  auto k = trust::parse_encrypted_key(text, "key");
  if (!k.ok()) return;
  auto again = trust::parse_encrypted_key(trust::encrypted_key_json(*k), "key");
  check(again.ok() && again->params == k->params && again->salt == k->salt &&
        again->nonce == k->nonce && again->ciphertext == k->ciphertext);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_json(text);
  auto block = trust::parse_pem(text, "key");
  if (block.ok()) {
    check_json(block->der);
    auto pem = trust::pem_encode(block->type, block->der);
    auto again = trust::parse_pem(pem, "key");
    check(again.ok() && again->der == block->der);
  }
  (void)trust::read_private_key(text, "key", []() -> distill::core::Result<std::string> {
    return distill::core::make_error("fuzz", "no passphrase");
  });
  (void)trust::PublicKey::from_pem(text, "pub");
  return 0;
}
