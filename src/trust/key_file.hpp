#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "trust/ec_key.hpp"

namespace distill::trust {

// cosign's encrypted private key file (sigstore/cosign pkg/cosign/keys.go
// over go-securesystemslib's `encrypted`): a PEM block whose body is JSON
//   {"kdf":{"name":"scrypt","params":{"N":..,"r":..,"p":..},"salt":"<b64>"},
//    "cipher":{"name":"nacl/secretbox","nonce":"<b64>"},"ciphertext":"<b64>"}
// scrypt(passphrase, salt) is the 32-byte secretbox key and the plaintext is
// the PKCS#8 DER private key. skopeo 1.9.3 reads only the older label, so
// that is the one written; both are read.
inline constexpr std::string_view kCosignKeyPemType = "ENCRYPTED COSIGN PRIVATE KEY";
inline constexpr std::string_view kSigstoreKeyPemType = "ENCRYPTED SIGSTORE PRIVATE KEY";

struct ScryptParams {
  uint64_t n = 0;
  uint32_t r = 0;
  uint32_t p = 0;
  friend bool operator==(const ScryptParams&, const ScryptParams&) = default;
};

// N=2^15 ("legacy"): what cosign wrote for years and the only setting older
// readers (skopeo 1.9.3's copy of go-tuf) accept. Decryption also takes
// go-securesystemslib's "standard" 2^16 and "OWASP" 2^17 and nothing else, as
// it does: a file cannot make us spend unbounded memory.
inline constexpr ScryptParams kScryptWrite{32768, 8, 1};

struct EncryptedKey {
  ScryptParams params;
  std::string salt;   // 32 bytes
  std::string nonce;  // 24 bytes
  std::string ciphertext;
};

// The JSON body of the PEM block, fields checked (names, sizes, parameters).
core::Result<EncryptedKey> parse_encrypted_key(std::string_view json, std::string_view where);
std::string encrypted_key_json(const EncryptedKey& key);

// Seals `plaintext` under `passphrase` with fresh salt and nonce.
core::Result<EncryptedKey> encrypt_key(std::string_view plaintext, std::string_view passphrase);
// The plaintext; a wrong passphrase (or an altered file) is one line saying so.
core::Result<std::string> decrypt_key(const EncryptedKey& key, std::string_view passphrase,
                                      std::string_view where);

// Asked only when the key file is encrypted.
using PassphraseSource = std::function<core::Result<std::string>()>;

// A private key file: cosign's encrypted PEM (either label) or a plain
// PKCS#8 "PRIVATE KEY" PEM.
core::Result<PrivateKey> read_private_key(std::string_view text, std::string_view where,
                                          const PassphraseSource& passphrase);

// The encrypted key file's text for `key`.
core::Result<std::string> encrypted_key_pem(const PrivateKey& key, std::string_view passphrase);

struct KeyPairFiles {
  std::string private_key;  // PREFIX.key, mode 0600
  std::string public_key;   // PREFIX.pub
};

// `distill key generate`: a fresh P-256 key, PREFIX.key encrypted under
// `passphrase` (which must not be empty) and PREFIX.pub, both written
// atomically. Existing files are never overwritten.
core::Result<KeyPairFiles> write_key_pair(const std::string& prefix, std::string_view passphrase);

// The private key file `path`, its passphrase (when encrypted) from
// read_passphrase(passphrase_file, ...).
core::Result<PrivateKey> load_private_key(const std::string& path,
                                          const std::string& passphrase_file);

}  // namespace distill::trust
