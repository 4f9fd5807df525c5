#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "core/base64.hpp"
#include "core/file_util.hpp"
#include "core/temp_dir.hpp"
#include "trust/ec_key.hpp"
#include "trust/key_file.hpp"
#include "trust/passphrase.hpp"
#include "trust/pem.hpp"

namespace distill::trust {
namespace {

// A P-256 key, its public key and a signature of kVectorPayload, all made
// with the openssl CLI (genpkey, pkey -pubout, dgst -sha256 -sign).
constexpr std::string_view kVectorKey = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvf55KxVh6XvPICrX
oM7qCFsbjM6omS5hkI9mBIAZXuOhRANCAATIAJo4wRa7hKmUpIxaOXniJKA4zWpw
Iz7k3E6evUcAe47KCVBT353Lb/GyiZkiSAoZyTq4rPEQNyCDpKuQOTL6
-----END PRIVATE KEY-----
)";
constexpr std::string_view kVectorPub = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEyACaOMEWu4SplKSMWjl54iSgOM1q
cCM+5NxOnr1HAHuOyglQU9+dy2/xsomZIkgKGck6uKzxEDcgg6SrkDky+g==
-----END PUBLIC KEY-----
)";
constexpr std::string_view kVectorPayload =
    R"({"critical":{"identity":{"docker-reference":"127.0.0.1:5000/team/app"},"image":{"docker-manifest-digest":"sha256:0000000000000000000000000000000000000000000000000000000000000001"},"type":"cosign container image signature"},"optional":null})";
constexpr std::string_view kVectorSig =
    "MEQCIFaLHE4akVp7xJsaey6yFk2ew4F16P9Q2IwHg+ufhSLtAiArPkbUbq+gmKt8s9nGe4DIBFcxzBoMDHCRB2v9fwOBkw"
    "==";

PassphraseSource fixed(std::string p) {
  return [p]() -> core::Result<std::string> { return p; };
}

TEST(TrustPem, RoundTripsAndFindsTheFirstBlock) {
  std::string der = "\x30\x03\x02\x01\x01";
  std::string pem = pem_encode("PUBLIC KEY", der);
  EXPECT_EQ(pem, "-----BEGIN PUBLIC KEY-----\nMAMCAQE=\n-----END PUBLIC KEY-----\n");
  auto b = parse_pem("some text before\r\n" + pem + "-----BEGIN X-----\n-----END X-----\n", "k");
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_EQ(b->type, "PUBLIC KEY");
  EXPECT_EQ(b->der, der);
}

TEST(TrustPem, RefusesHeadersBadBase64AndMissingEnd) {
  auto h = parse_pem(
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n"
      "-----END RSA PRIVATE KEY-----\n",
      "k");
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().what.find("headers"), std::string::npos);
  EXPECT_FALSE(parse_pem("-----BEGIN X-----\n!!!!\n-----END X-----\n", "k").ok());
  EXPECT_FALSE(parse_pem("-----BEGIN X-----\nAAAA\n", "k").ok());
  auto none = parse_pem("just text", "k");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(), "k: holds no PEM block (expected -----BEGIN ...----- lines)");
}

TEST(TrustEcKey, VerifiesTheOpensslVector) {
  auto pub = PublicKey::from_pem(kVectorPub, "vec.pub");
  ASSERT_TRUE(pub.ok()) << pub.error().message();
  auto sig = core::base64_decode(kVectorSig);
  ASSERT_TRUE(sig);
  EXPECT_TRUE(pub->verify(kVectorPayload, *sig));
  std::string altered(kVectorPayload);
  altered[10] = 'X';
  EXPECT_FALSE(pub->verify(altered, *sig));
  std::string bad_sig = *sig;
  bad_sig[bad_sig.size() - 1] ^= 1;
  EXPECT_FALSE(pub->verify(kVectorPayload, bad_sig));
  EXPECT_FALSE(pub->verify(kVectorPayload, "not DER"));
  // The PEM written back is the file openssl wrote.
  EXPECT_EQ(*pub->pem(), kVectorPub);
}

TEST(TrustEcKey, PlainPkcs8KeySignsWhatItsPublicKeyVerifies) {
  auto key = read_private_key(kVectorKey, "vec.key", []() -> core::Result<std::string> {
    return core::make_error("test", "no passphrase asked for a plain key");
  });
  ASSERT_TRUE(key.ok()) << key.error().message();
  auto sig = key->sign(kVectorPayload);
  ASSERT_TRUE(sig.ok());
  auto pub = PublicKey::from_pem(kVectorPub, "vec.pub");
  EXPECT_TRUE(pub->verify(kVectorPayload, *sig));
  EXPECT_EQ(*key->public_key()->pem(), kVectorPub);
}

TEST(TrustEcKey, RefusesOtherKeyTypes) {
  // An Ed25519 public key (RFC 8410 example).
  auto ed = PublicKey::from_pem(
      "-----BEGIN PUBLIC KEY-----\n"
      "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
      "-----END PUBLIC KEY-----\n",
      "ed.pub");
  ASSERT_FALSE(ed.ok());
  EXPECT_NE(ed.error().what.find("not an ECDSA key"), std::string::npos);
  EXPECT_FALSE(PublicKey::from_pem(kVectorKey, "vec.key").ok());
}

TEST(TrustKeyFile, EncryptedKeyRoundTripsAndRefusesAWrongPassphrase) {
  auto key = PrivateKey::generate();
  ASSERT_TRUE(key.ok());
  auto pem = encrypted_key_pem(*key, "s3cret");
  ASSERT_TRUE(pem.ok()) << pem.error().message();
  EXPECT_TRUE(pem->starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"));
  auto block = parse_pem(*pem, "k");
  ASSERT_TRUE(block.ok());
  EXPECT_TRUE(block->der.starts_with(R"({"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1})"))
      << block->der;
  auto parsed = parse_encrypted_key(block->der, "k");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(encrypted_key_json(*parsed), block->der);

  auto back = read_private_key(*pem, "cosign.key", fixed("s3cret"));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back->pkcs8(), *key->pkcs8());

  auto wrong = read_private_key(*pem, "cosign.key", fixed("s3cret!"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message(),
            "cosign.key: cannot be decrypted: wrong passphrase (or the file was altered)");

  // cosign 2's label reads the same.
  std::string sigstore = pem_encode(kSigstoreKeyPemType, block->der);
  EXPECT_TRUE(read_private_key(sigstore, "k", fixed("s3cret")).ok());
}

TEST(TrustKeyFile, ParserRefusesUnknownAlgorithmsParametersAndSizes) {
  auto k = encrypt_key("plaintext", "p");
  ASSERT_TRUE(k.ok());
  std::string good = encrypted_key_json(*k);
  auto expect_refused = [](std::string text, std::string_view words) {
    auto r = parse_encrypted_key(text, "k");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().message().find(words), std::string::npos) << r.error().message();
  };
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  expect_refused(replaced("\"N\":32768", "\"N\":1048576"), "unsupported scrypt parameters");
  expect_refused(replaced("\"p\":1", "\"p\":2"), "unsupported scrypt parameters");
  expect_refused(replaced("\"scrypt\"", "\"pbkdf2\""), "not scrypt");
  expect_refused(replaced("nacl/secretbox", "aes-gcm"), "not nacl/secretbox");
  expect_refused(replaced("\"nonce\":\"", "\"nonce\":\"AAAA"), "nonce");
  expect_refused(replaced("\"salt\":\"", "\"salt\":\"AAAA"), "salt");
  expect_refused(replaced("{\"kdf\"", "{\"ciphertext\":\"\",\"kdf\""), "twice");
  expect_refused("[]", "not a cosign encrypted key");
  expect_refused("{", "not valid JSON");
  // The other parameter sets go-securesystemslib writes are read.
  EXPECT_TRUE(parse_encrypted_key(replaced("\"N\":32768", "\"N\":65536"), "k").ok());
  auto decrypted = decrypt_key(*k, "p", "k");
  ASSERT_TRUE(decrypted.ok());
  EXPECT_EQ(*decrypted, "plaintext");
}

TEST(TrustKeyFile, WriteKeyPairWritesBothFilesOnceWithAPrivateMode) {
  auto tmp = core::TempDir::create({}, "distill-trust");
  ASSERT_TRUE(tmp.ok());
  const std::string prefix = tmp->path() + "/release";
  EXPECT_FALSE(write_key_pair(prefix, "").ok());
  EXPECT_FALSE(core::path_exists(prefix + ".key"));
  auto files = write_key_pair(prefix, "pw");
  ASSERT_TRUE(files.ok()) << files.error().message();
  struct stat st {};
  ASSERT_EQ(stat(files->private_key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = load_private_key(files->private_key, "");
  // No passphrase source in the environment of the test binary.
  if (!std::getenv(std::string(kPassphraseEnv).c_str()) &&
      !std::getenv(std::string(kCosignPassphraseEnv).c_str())) {
    ASSERT_FALSE(key.ok());
    EXPECT_NE(key.error().message().find("needs a passphrase"), std::string::npos);
  }
  ASSERT_TRUE(core::write_file_atomic(tmp->path() + "/pass", "pw\nsecond line\n").ok());
  key = load_private_key(files->private_key, tmp->path() + "/pass");
  ASSERT_TRUE(key.ok()) << key.error().message();
  auto pub = PublicKey::from_pem(*core::read_file(files->public_key), "pub");
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->verify("data", *key->sign("data")));
  auto again = write_key_pair(prefix, "pw");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message().find("exists already"), std::string::npos);
}

}  // namespace
}  // namespace distill::trust
