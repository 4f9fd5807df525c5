#include "trust/key_file.hpp"

#include <openssl/crypto.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "core/base64.hpp"
#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"
#include "trust/passphrase.hpp"
#include "trust/pem.hpp"

namespace distill::trust {
namespace {

constexpr size_t kSaltSize = 32;
constexpr std::string_view kScrypt = "scrypt";
constexpr std::string_view kSecretBox = "nacl/secretbox";

// Wipes a secret when it goes out of scope, on every path.
class Wiped {
 public:
  explicit Wiped(std::string& s) : s_(s) {}
  ~Wiped() { OPENSSL_cleanse(s_.data(), s_.size()); }
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;

 private:
  std::string& s_;
};

core::Status init_sodium() {
  if (sodium_init() < 0) return core::make_error("libsodium", "cannot be initialised");
  return core::Status::Ok();
}

bool known_params(const ScryptParams& p) {
  return p == kScryptWrite || p == ScryptParams{65536, 8, 1} || p == ScryptParams{131072, 8, 1};
}

core::Result<std::string> b64_field(const nlohmann::json& obj, std::string_view key,
                                    std::string_view where) {
  DISTILL_ASSIGN(std::string text, core::json_string(obj, key));
  auto bytes = core::base64_decode(text);
  if (!bytes)
    return core::make_error(std::string(where), "field '" + std::string(key) + "' is not base64");
  return std::move(*bytes);
}

core::Result<std::string> derive_box_key(const EncryptedKey& k, std::string_view passphrase) {
  DISTILL_TRY(init_sodium());
  std::string box_key(crypto_secretbox_KEYBYTES, '\0');
  if (crypto_pwhash_scryptsalsa208sha256_ll(
          reinterpret_cast<const uint8_t*>(passphrase.data()), passphrase.size(),
          reinterpret_cast<const uint8_t*>(k.salt.data()), k.salt.size(), k.params.n, k.params.r,
          k.params.p, reinterpret_cast<uint8_t*>(box_key.data()), box_key.size()) != 0)
    return core::make_error("scrypt", "failed (out of memory?)");
  return box_key;
}

}  // namespace

core::Result<EncryptedKey> parse_encrypted_key(std::string_view json, std::string_view where) {
  const std::string w(where);
  DISTILL_ASSIGN(nlohmann::json j, core::parse_json_unique_keys(json, where));
  if (!j.is_object() || !j["kdf"].is_object() || !j["cipher"].is_object() ||
      !j["kdf"]["params"].is_object())
    return core::make_error(w, "is not a cosign encrypted key (no kdf, cipher or params)");
  const nlohmann::json& kdf = j["kdf"];
  const nlohmann::json& cipher = j["cipher"];
  DISTILL_ASSIGN(std::string kdf_name, core::json_string(kdf, "name"));
  DISTILL_ASSIGN(std::string cipher_name, core::json_string(cipher, "name"));
  if (kdf_name != kScrypt)
    return core::make_error(
        w, "uses the key derivation '" + core::escape_control(kdf_name) + "', not scrypt");
  if (cipher_name != kSecretBox)
    return core::make_error(
        w, "uses the cipher '" + core::escape_control(cipher_name) + "', not nacl/secretbox");
  EncryptedKey k;
  const nlohmann::json& params = kdf["params"];
  DISTILL_ASSIGN(int64_t n, core::json_int(params, "N"));
  DISTILL_ASSIGN(int64_t r, core::json_int(params, "r"));
  DISTILL_ASSIGN(int64_t p, core::json_int(params, "p"));
  if (n < 0 || r < 0 || p < 0 || r > UINT32_MAX || p > UINT32_MAX)
    return core::make_error(w, "has invalid scrypt parameters");
  k.params = {static_cast<uint64_t>(n), static_cast<uint32_t>(r), static_cast<uint32_t>(p)};
  if (!known_params(k.params))
    return core::make_error(w,
                            "has unsupported scrypt parameters (N=" + std::to_string(n) +
                                ", r=" + std::to_string(r) + ", p=" + std::to_string(p) + ")",
                            "N must be 32768, 65536 or 131072 with r=8, p=1, as cosign writes");
  DISTILL_ASSIGN(k.salt, b64_field(kdf, "salt", where));
  DISTILL_ASSIGN(k.nonce, b64_field(cipher, "nonce", where));
  DISTILL_ASSIGN(k.ciphertext, b64_field(j, "ciphertext", where));
  if (k.salt.size() != kSaltSize) return core::make_error(w, "has a salt that is not 32 bytes");
  if (k.nonce.size() != crypto_secretbox_NONCEBYTES)
    return core::make_error(w, "has a nonce that is not 24 bytes");
  if (k.ciphertext.size() < crypto_secretbox_MACBYTES)
    return core::make_error(w, "has a ciphertext too short to hold its tag");
  return k;
}

std::string encrypted_key_json(const EncryptedKey& k) {
  // Go's encoding/json field order, so the file reads like cosign's.
  return R"({"kdf":{"name":"scrypt","params":{"N":)" + std::to_string(k.params.n) + R"(,"r":)" +
         std::to_string(k.params.r) + R"(,"p":)" + std::to_string(k.params.p) + R"(},"salt":")" +
         core::base64_encode(k.salt) + R"("},"cipher":{"name":"nacl/secretbox","nonce":")" +
         core::base64_encode(k.nonce) + R"("},"ciphertext":")" + core::base64_encode(k.ciphertext) +
         R"("})";
}

core::Result<EncryptedKey> encrypt_key(std::string_view plaintext, std::string_view passphrase) {
  DISTILL_TRY(init_sodium());
  EncryptedKey k;
  k.params = kScryptWrite;
  k.salt.resize(kSaltSize);
  k.nonce.resize(crypto_secretbox_NONCEBYTES);
  randombytes_buf(k.salt.data(), k.salt.size());
  randombytes_buf(k.nonce.data(), k.nonce.size());
  DISTILL_ASSIGN(std::string box_key, derive_box_key(k, passphrase));
  Wiped wipe_key(box_key);
  k.ciphertext.resize(plaintext.size() + crypto_secretbox_MACBYTES);
  if (crypto_secretbox_easy(reinterpret_cast<uint8_t*>(k.ciphertext.data()),
                            reinterpret_cast<const uint8_t*>(plaintext.data()), plaintext.size(),
                            reinterpret_cast<const uint8_t*>(k.nonce.data()),
                            reinterpret_cast<const uint8_t*>(box_key.data())) != 0)
    return core::make_error("secretbox", "encryption failed");
  return k;
}

core::Result<std::string> decrypt_key(const EncryptedKey& k, std::string_view passphrase,
                                      std::string_view where) {
  DISTILL_ASSIGN(std::string box_key, derive_box_key(k, passphrase));
  Wiped wipe_key(box_key);
  std::string plain(k.ciphertext.size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<uint8_t*>(plain.data()),
                                 reinterpret_cast<const uint8_t*>(k.ciphertext.data()),
                                 k.ciphertext.size(),
                                 reinterpret_cast<const uint8_t*>(k.nonce.data()),
                                 reinterpret_cast<const uint8_t*>(box_key.data())) != 0)
    return core::make_error(std::string(where), "cannot be decrypted: wrong passphrase",
                            "or the file was altered");
  return plain;
}

core::Result<PrivateKey> read_private_key(std::string_view text, std::string_view where,
                                          const PassphraseSource& passphrase) {
  DISTILL_ASSIGN(PemBlock block, parse_pem(text, where));
  Wiped wipe_der(block.der);
  if (block.type == "PRIVATE KEY") return PrivateKey::from_pkcs8(block.der, where);
  if (block.type != kCosignKeyPemType && block.type != kSigstoreKeyPemType)
    return core::make_error(std::string(where),
                            "holds a " + core::escape_control(block.type) + " PEM block",
                            "expected an encrypted cosign key or a PKCS#8 PRIVATE KEY");
  DISTILL_ASSIGN(EncryptedKey k, parse_encrypted_key(block.der, where));
  DISTILL_ASSIGN(std::string pass, passphrase());
  Wiped wipe_pass(pass);
  DISTILL_ASSIGN(std::string der, decrypt_key(k, pass, where));
  Wiped wipe_plain(der);
  return PrivateKey::from_pkcs8(der, where);
}

core::Result<std::string> encrypted_key_pem(const PrivateKey& key, std::string_view passphrase) {
  DISTILL_ASSIGN(std::string der, key.pkcs8());
  Wiped wipe_der(der);
  DISTILL_ASSIGN(EncryptedKey k, encrypt_key(der, passphrase));
  return pem_encode(kCosignKeyPemType, encrypted_key_json(k));
}

core::Result<KeyPairFiles> write_key_pair(const std::string& prefix, std::string_view passphrase) {
  KeyPairFiles f{prefix + ".key", prefix + ".pub"};
  for (const std::string& path : {f.private_key, f.public_key})
    if (core::path_exists(path))
      return core::make_error(path, "exists already",
                              "remove it or choose another --output-key-prefix");
  if (passphrase.empty())
    return core::make_error("key generate", "refuses an empty passphrase",
                            "an empty passphrase leaves the private key unprotected");
  DISTILL_ASSIGN(PrivateKey key, PrivateKey::generate());
  DISTILL_ASSIGN(std::string key_pem, encrypted_key_pem(key, passphrase));
  DISTILL_ASSIGN(PublicKey pub, key.public_key());
  DISTILL_ASSIGN(std::string pub_pem, pub.pem());
  DISTILL_TRY(core::write_file_atomic(f.private_key, key_pem, 0600));
  DISTILL_TRY(core::write_file_atomic(f.public_key, pub_pem, 0644));
  return f;
}

core::Result<PrivateKey> load_private_key(const std::string& path,
                                          const std::string& passphrase_file) {
  DISTILL_ASSIGN(std::string text, core::read_file(path));
  Wiped wipe_text(text);
  return read_private_key(text, path, [&]() { return read_passphrase(passphrase_file, path); });
}

}  // namespace distill::trust
