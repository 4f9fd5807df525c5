#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/base64.hpp"
#include "oci/media_types.hpp"
#include "trust/ec_key.hpp"
#include "trust/signature_manifest.hpp"
#include "trust/simple_signing.hpp"

namespace distill::trust {
namespace {

const oci::Digest kSigTestDigest =
    *oci::Digest::from_hex("1111111111111111111111111111111111111111111111111111111111111111");
const oci::Digest kSigTestOther =
    *oci::Digest::from_hex("2222222222222222222222222222222222222222222222222222222222222222");

std::string sig_test_payload(std::string_view critical_tail = {},
                             std::string_view optional = "null") {
  return R"({"critical":{"identity":{"docker-reference":"h:5000/team/app"},"image":{"docker-manifest-digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111"},"type":"cosign container image signature")" +
         std::string(critical_tail) + R"(},"optional":)" + std::string(optional) + "}";
}

TEST(TrustSimpleSigning, WritesCosignsPayload) {
  SimpleSigningPayload p;
  p.docker_reference = "127.0.0.1:5000/team/app";
  p.manifest_digest = kSigTestDigest;
  auto j = simple_signing_json(p);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(
      *j,
      R"({"critical":{"identity":{"docker-reference":"127.0.0.1:5000/team/app"},"image":{"docker-manifest-digest":")" +
          kSigTestDigest.str() +
          R"("},"type":"cosign container image signature"},"optional":null})");
  auto back = parse_simple_signing(*j, "payload");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->docker_reference, p.docker_reference);
  EXPECT_EQ(back->manifest_digest, p.manifest_digest);
  EXPECT_FALSE(back->creator);
}

TEST(TrustSimpleSigning, ReadsSkopeosOptionalFields) {
  auto p = parse_simple_signing(
      sig_test_payload({},
                       R"({"creator":"containers/image 5.23.1","timestamp":1700000000,"x":[1]})"),
      "payload");
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(*p->creator, "containers/image 5.23.1");
  EXPECT_EQ(*p->timestamp, 1700000000);
  EXPECT_TRUE(parse_simple_signing(sig_test_payload({}, R"({"timestamp":1.7e9})"), "p").ok());
}

TEST(TrustSimpleSigning, ReadsAsStrictlyAsContainersImage) {
  auto refused = [](const std::string& text, std::string_view words) {
    auto r = parse_simple_signing(text, "payload");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().message().find(words), std::string::npos) << r.error().message();
  };
  refused(sig_test_payload(R"(,"extra":1)"), "'critical' is not exactly");
  refused(sig_test_payload({}, R"({"timestamp":1.5})"), "not an integer");
  refused(sig_test_payload({}, R"({"creator":7})"), "creator is not a string");
  refused(sig_test_payload({}, "[]"), "neither null nor an object");
  refused(R"({"critical":{},"optional":null,"more":1})", "exactly 'critical' and 'optional'");
  refused(
      R"({"critical":{"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":"sha512:00"},"type":"cosign container image signature"},"optional":null})",
      "not a sha256 digest");
  refused(
      R"({"critical":{"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111"},"type":"atomic container signature"},"optional":null})",
      "not a cosign container image signature");
  refused(
      R"({"critical":{"identity":{"docker-reference":"a/b","x":""},"image":{"docker-manifest-digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111"},"type":"cosign container image signature"},"optional":null})",
      "critical.identity");
  // The same key twice: a reader that keeps the first value and one that
  // keeps the last would disagree on what was signed.
  refused(
      R"({"critical":{"identity":{"docker-reference":"a/b"},"image":{"docker-manifest-digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","docker-manifest-digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222"},"type":"cosign container image signature"},"optional":null})",
      "twice");
  refused("not json", "not valid JSON");
}

TEST(TrustSignatureManifest, TagIsCosignsLegacyScheme) {
  EXPECT_EQ(signature_tag(kSigTestDigest), "sha256-" + kSigTestDigest.hex() + ".sig");
}

TEST(TrustSignatureManifest, AddsLayersKeepsEarlierOnesAndSkipsRepeats) {
  std::optional<SignatureManifest> m;
  SignatureLayer a{"payload-a", "c2lnLWE="};
  SignatureLayer b{"payload-b", "c2lnLWI="};
  ASSERT_TRUE(*add_signature(m, a));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->manifest.media_type, oci::kMediaTypeManifest);
  ASSERT_EQ(m->manifest.layers.size(), 1u);
  EXPECT_EQ(m->manifest.layers[0].media_type, kSimpleSigningMediaType);
  EXPECT_EQ(m->manifest.layers[0].annotations.at(std::string(kSignatureAnnotation)), "c2lnLWE=");
  EXPECT_EQ(m->config, R"({"architecture":"","config":{},"os":"","rootfs":{"diff_ids":[")" +
                           oci::Digest::of("payload-a").str() + R"("],"type":"layers"}})");
  EXPECT_EQ(m->manifest.config.media_type, oci::kMediaTypeConfig);
  EXPECT_EQ(m->manifest.config.digest, oci::Digest::of(m->config));
  EXPECT_FALSE(*add_signature(m, a));
  ASSERT_TRUE(*add_signature(m, b));
  ASSERT_EQ(m->manifest.layers.size(), 2u);
  EXPECT_EQ(m->manifest.layers[0].digest, oci::Digest::of("payload-a"));
  EXPECT_EQ(m->manifest.layers[1].digest, oci::Digest::of("payload-b"));
  // A config from another tool keeps its fields.
  std::optional<SignatureManifest> other =
      SignatureManifest{{}, R"({"created":"0001-01-01T00:00:00Z","rootfs":{"type":"layers"}})"};
  ASSERT_TRUE(*add_signature(other, a));
  EXPECT_NE(other->config.find("\"created\""), std::string::npos);
  std::optional<SignatureManifest> broken = SignatureManifest{{}, "[1]"};
  EXPECT_FALSE(add_signature(broken, a).ok());
}

class TrustLayerCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = PrivateKey::generate();
    ASSERT_TRUE(k.ok());
    key_.emplace(std::move(k).value());
    pub_.emplace(key_->public_key().value());
    auto s = make_signature(*key_, "h:5000/team/app", kSigTestDigest);
    ASSERT_TRUE(s.ok());
    sig_ = *s;
    std::optional<SignatureManifest> m;
    ASSERT_TRUE(*add_signature(m, sig_));
    layer_ = m->manifest.layers[0];
  }
  LayerCheck check(std::string_view blob, std::string_view name = "h:5000/team/app",
                   const oci::Digest& digest = kSigTestDigest) {
    return check_signature_layer(layer_, blob, *pub_, name, digest);
  }
  std::optional<PrivateKey> key_;
  std::optional<PublicKey> pub_;
  SignatureLayer sig_;
  oci::Descriptor layer_;
};

TEST_F(TrustLayerCheck, AcceptsTheSignatureAndNamesEachFailedCheck) {
  LayerCheck ok = check(sig_.payload);
  EXPECT_TRUE(ok.ok()) << ok.failure;
  EXPECT_EQ(ok.payload.docker_reference, "h:5000/team/app");

  EXPECT_NE(check(sig_.payload + " ").failure.find("does not match its digest"), std::string::npos);
  EXPECT_NE(check(sig_.payload, "h:5000/team/other").failure.find("reference mismatch"),
            std::string::npos);
  EXPECT_NE(check(sig_.payload, "h:5000/team/app", kSigTestOther).failure.find("digest mismatch"),
            std::string::npos);

  auto other_key = PrivateKey::generate();
  auto other_pub = other_key->public_key();
  EXPECT_NE(
      check_signature_layer(layer_, sig_.payload, *other_pub, "h:5000/team/app", kSigTestDigest)
          .failure.find("does not verify with the public key"),
      std::string::npos);

  oci::Descriptor saved = layer_;
  layer_.annotations.clear();
  EXPECT_NE(check(sig_.payload).failure.find("bad signature: no"), std::string::npos);
  layer_.annotations[std::string(kSignatureAnnotation)] = "%%%";
  EXPECT_NE(check(sig_.payload).failure.find("not base64"), std::string::npos);
  layer_ = saved;
  layer_.media_type = "application/vnd.in-toto+json";
  EXPECT_NE(check(sig_.payload).failure.find("is not a signature"), std::string::npos);
  layer_ = saved;

  // A tag in the signed reference is ignored (skopeo signs HOST/REPO:TAG).
  auto tagged = make_signature(*key_, "h:5000/team/app:v1", kSigTestDigest);
  std::optional<SignatureManifest> m;
  ASSERT_TRUE(*add_signature(m, *tagged));
  EXPECT_TRUE(check_signature_layer(m->manifest.layers[0], tagged->payload, *pub_,
                                    "h:5000/team/app", kSigTestDigest)
                  .ok());
  // A signed payload that is not simple-signing JSON.
  auto junk = key_->sign("junk");
  layer_ = oci::describe(kSimpleSigningMediaType, "junk");
  layer_.annotations[std::string(kSignatureAnnotation)] = core::base64_encode(*junk);
  EXPECT_NE(check("junk").failure.find("signed payload is unreadable"), std::string::npos);
}

}  // namespace
}  // namespace distill::trust
