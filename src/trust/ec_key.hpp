#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, at global scope as OpenSSL declares it

namespace distill::trust {

// ECDSA over NIST P-256 with SHA-256: the key type cosign generates and the
// one skopeo's sigstore signing and verification read by default. Other key
// types are refused with a line saying so.
struct PkeyFree {
  void operator()(::evp_pkey_st* k) const;
};
using PkeyPtr = std::unique_ptr<::evp_pkey_st, PkeyFree>;

class PublicKey {
 public:
  // A "PUBLIC KEY" PEM block (PKIX SubjectPublicKeyInfo), as cosign writes.
  static core::Result<PublicKey> from_pem(std::string_view text, std::string_view where);
  static core::Result<PublicKey> from_der(std::string_view der, std::string_view where);

  // SubjectPublicKeyInfo DER and its PEM.
  core::Result<std::string> der() const;
  core::Result<std::string> pem() const;
  // True when `der_signature` (ASN.1 ECDSA-Sig-Value) signs SHA-256(`data`).
  bool verify(std::string_view data, std::string_view der_signature) const;

 private:
  explicit PublicKey(PkeyPtr key) : key_(std::move(key)) {}
  PkeyPtr key_;
};

class PrivateKey {
 public:
  static core::Result<PrivateKey> generate();
  // PKCS#8 PrivateKeyInfo DER, as cosign's key files hold after decryption.
  static core::Result<PrivateKey> from_pkcs8(std::string_view der, std::string_view where);

  // PKCS#8 DER. The caller wipes it (OPENSSL_cleanse) when done.
  core::Result<std::string> pkcs8() const;
  core::Result<PublicKey> public_key() const;
  // An ASN.1 DER ECDSA signature over SHA-256(`data`); randomised, so two
  // signatures of one payload differ.
  core::Result<std::string> sign(std::string_view data) const;

 private:
  explicit PrivateKey(PkeyPtr key) : key_(std::move(key)) {}
  PkeyPtr key_;
};

}  // namespace distill::trust
