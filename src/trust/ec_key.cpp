#include "trust/ec_key.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "trust/pem.hpp"

namespace distill::trust {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

struct P8Free {
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};

// Only P-256: what cosign generates, and a curve every verifier has.
core::Status check_p256(EVP_PKEY* key, std::string_view where) {
  char group[64] = {};
  size_t len = 0;
  if (EVP_PKEY_is_a(key, "EC") != 1 || EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1)
    return core::make_error(std::string(where), "is not an ECDSA key",
                            "distill signs with ECDSA P-256 keys (distill key generate)");
  std::string_view name(group, len);
  if (name != "prime256v1" && name != "P-256")
    return core::make_error(std::string(where),
                            "is an ECDSA key on curve " + std::string(name) + ", not P-256",
                            "distill signs with ECDSA P-256 keys (distill key generate)");
  return core::Status::Ok();
}

// i2d_* into a string: first the size, then the bytes.
template <typename T, typename F>
core::Result<std::string> to_der(T* object, F i2d, std::string_view what) {
  int n = i2d(object, nullptr);
  if (n <= 0) return core::make_error(std::string(what), "cannot be encoded");
  std::string out(static_cast<size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (i2d(object, &p) != n) return core::make_error(std::string(what), "cannot be encoded");
  return out;
}

}  // namespace

void PkeyFree::operator()(EVP_PKEY* k) const {
  EVP_PKEY_free(k);
}

core::Result<PublicKey> PublicKey::from_pem(std::string_view text, std::string_view where) {
  DISTILL_ASSIGN(PemBlock block, parse_pem(text, where));
  if (block.type != "PUBLIC KEY")
    return core::make_error(std::string(where), "holds no PUBLIC KEY PEM block",
                            "pass the .pub file distill key generate or cosign wrote");
  return from_der(block.der, where);
}

core::Result<PublicKey> PublicKey::from_der(std::string_view der, std::string_view where) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size())
    return core::make_error(std::string(where), "is not a valid public key");
  DISTILL_TRY(check_p256(key.get(), where));
  return PublicKey(std::move(key));
}

core::Result<std::string> PublicKey::der() const {
  return to_der(key_.get(), i2d_PUBKEY, "public key");
}

core::Result<std::string> PublicKey::pem() const {
  DISTILL_ASSIGN(std::string d, der());
  return pem_encode("PUBLIC KEY", d);
}

bool PublicKey::verify(std::string_view data, std::string_view der_signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der_signature.data()),
                          der_signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

core::Result<PrivateKey> PrivateKey::generate() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return core::make_error("key generate", "OpenSSL could not generate a P-256 key");
  return PrivateKey(std::move(key));
}

core::Result<PrivateKey> PrivateKey::from_pkcs8(std::string_view der, std::string_view where) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8Free> info(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!info || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size())
    return core::make_error(std::string(where), "is not a PKCS#8 private key");
  PkeyPtr key(EVP_PKCS82PKEY(info.get()));
  if (!key) return core::make_error(std::string(where), "is not a PKCS#8 private key");
  DISTILL_TRY(check_p256(key.get(), where));
  return PrivateKey(std::move(key));
}

core::Result<std::string> PrivateKey::pkcs8() const {
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8Free> info(EVP_PKEY2PKCS8(key_.get()));
  if (!info) return core::make_error("private key", "cannot be encoded as PKCS#8");
  return to_der(info.get(), i2d_PKCS8_PRIV_KEY_INFO, "private key");
}

core::Result<PublicKey> PrivateKey::public_key() const {
  DISTILL_ASSIGN(std::string der, to_der(key_.get(), i2d_PUBKEY, "public key"));
  return PublicKey::from_der(der, "public key");
}

core::Result<std::string> PrivateKey::sign(std::string_view data) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1)
    return core::make_error("sign", "OpenSSL could not sign");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     data.size()) != 1)
    return core::make_error("sign", "OpenSSL could not sign");
  sig.resize(len);
  return sig;
}

}  // namespace distill::trust
