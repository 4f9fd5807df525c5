// sbom/image_attest: statements found through the referrers API, the
// referrers tag schema and cosign's `.att` tag, against a fake registry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "core/dsse.hpp"
#include "oci/media_types.hpp"
#include "registry/referrers.hpp"
#include "sbom/attestation.hpp"
#include "sbom/image_attest.hpp"
#include "trust/signature_manifest.hpp"
#include "unit/registry/fake_registry.hpp"

namespace distill::sbom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kLookupRepo = "team/app";

class LookupSigner : public core::dsse::Signer {
 public:
  explicit LookupSigner(const trust::PrivateKey& key) : key_(key) {}
  std::string keyid() const override { return ""; }
  core::Result<std::string> sign(std::string_view message) const override {
    return key_.sign(message);
  }

 private:
  const trust::PrivateKey& key_;
};

class SbomAttestationLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("SOURCE_DATE_EPOCH");
    key_ = std::make_unique<trust::PrivateKey>(trust::PrivateKey::generate().value());
    pub_ = std::make_unique<trust::PublicKey>(key_->public_key().value());
  }

  // A referrer manifest whose one layer is `statement` DSSE-signed by `key`;
  // its index entry (digest, size, artifactType) is returned.
  nlohmann::json push_referrer(const Statement& statement, const trust::PrivateKey& key) {
    LookupSigner signer(key);
    std::string payload = statement_payload(statement).value();
    auto env = core::dsse::sign(kInTotoPayloadType, payload, {&signer}).value();
    registry::Artifact a;
    a.artifact_type = std::string(trust::kDsseEnvelopeMediaType);
    a.media_type = a.artifact_type;
    a.data = core::dsse::envelope_json(env).value();
    a.annotations = {{"in-toto.io/predicate-type", statement.predicate_type}};
    fake_.put_blob(kLookupRepo, a.data);
    fake_.put_blob(kLookupRepo, std::string(registry::kEmptyJson));
    std::string body = registry::artifact_manifest_json(a, image_).value();
    oci::Descriptor d = oci::describe(oci::kMediaTypeManifest, body);
    EXPECT_TRUE(client_.put_manifest(kLookupRepo, d.digest.str(), d.media_type, body).ok());
    return {{"mediaType", d.media_type},
            {"digest", d.digest.str()},
            {"size", d.size},
            {"artifactType", a.artifact_type},
            {"annotations", a.annotations}};
  }

  std::string index_of(const std::vector<nlohmann::json>& entries) {
    nlohmann::json index = {
        {"schemaVersion", 2}, {"mediaType", oci::kMediaTypeIndex}, {"manifests", entries}};
    return index.dump();
  }

  ResourceDescriptor subject() const {
    return {"127.0.0.1:5000/team/app", "", {{"sha256", image_.digest.hex()}}, {}};
  }
  Statement provenance() const {
    ProvenanceInput in;
    in.architecture = "amd64";
    return provenance_statement({subject()}, image_provenance(in).value()).value();
  }
  Statement spdx() const {
    return sbom_statement(subject(), SbomFormat::kSpdxJson,
                          R"({"spdxVersion":"SPDX-2.3","packages":[]})")
        .value();
  }

  core::Result<AttestationCheck> check() {
    return check_attestations(client_, kLookupRepo,
                              "127.0.0.1:5000/team/app@" + image_.digest.str(), image_.digest,
                              *pub_, nullptr);
  }

  registry::test_util::FakeRegistry fake_;
  registry::test_util::FakeClock clock_;
  registry::Client client_{fake_, clock_, registry::test_util::kHost, {}};
  oci::Descriptor image_ = oci::describe(oci::kMediaTypeManifest, R"({"schemaVersion":2})");
  std::unique_ptr<trust::PrivateKey> key_;
  std::unique_ptr<trust::PublicKey> pub_;
};

TEST_F(SbomAttestationLookup, StatementsOnlyTheReferrersApiListsVerify) {
  fake_.referrers_api = true;
  nlohmann::json other = {{"mediaType", oci::kMediaTypeManifest},
                          {"digest", "sha256:" + std::string(64, 'e')},
                          {"size", 10},
                          {"artifactType", "application/spdx+json"}};
  fake_.referrers[std::string(kLookupRepo) + "@" + image_.digest.str()] =
      index_of({push_referrer(provenance(), *key_), other, push_referrer(spdx(), *key_)});
  auto c = check();
  ASSERT_TRUE(c.ok()) << c.error().message();
  for (const auto& f : c->failures) ADD_FAILURE() << f.where << ": " << f.what;
  EXPECT_TRUE(c->ok());
  EXPECT_EQ(c->statements, 2);
  EXPECT_THAT(c->sources, ElementsAre("referrers API"));
  ASSERT_TRUE(c->provenance.has_value());
  EXPECT_EQ(c->provenance->predicate_type, kSlsaProvenanceV1);
  // The API answered: neither the referrers tag nor the other artifact was read.
  auto log = fake_.log();
  const std::string tag = registry::referrers_tag(image_.digest);
  EXPECT_EQ(std::count(log.begin(), log.end(), "HEAD /v2/team/app/manifests/" + tag), 0);
  EXPECT_EQ(std::count(log.begin(), log.end(), "GET /v2/team/app/manifests/" + tag), 0);
  EXPECT_EQ(fake_.count("GET /v2/team/app/manifests/sha256:eeee"), 0);
}

TEST_F(SbomAttestationLookup, WithoutTheApiTheReferrersTagIndexIsRead) {
  std::string index = index_of({push_referrer(provenance(), *key_), push_referrer(spdx(), *key_)});
  ASSERT_TRUE(client_
                  .put_manifest(kLookupRepo, registry::referrers_tag(image_.digest),
                                oci::kMediaTypeIndex, index)
                  .ok());
  auto c = check();
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_TRUE(c->ok());
  EXPECT_EQ(c->statements, 2);
  EXPECT_THAT(c->sources, ElementsAre("referrers tag " + registry::referrers_tag(image_.digest)));
  EXPECT_EQ(fake_.count("GET /v2/team/app/referrers/"), 1);
}

TEST_F(SbomAttestationLookup, AReferrerSignedByAnotherKeyFails) {
  fake_.referrers_api = true;
  auto other = trust::PrivateKey::generate().value();
  fake_.referrers[std::string(kLookupRepo) + "@" + image_.digest.str()] =
      index_of({push_referrer(provenance(), *key_), push_referrer(spdx(), other)});
  auto c = check();
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_FALSE(c->ok());
  ASSERT_EQ(c->failures.size(), 1u);
  EXPECT_EQ(c->failures[0].where, "attestation 2 (https://spdx.dev/Document)");
  EXPECT_THAT(c->failures[0].what, HasSubstr("signature: does not verify"));
  EXPECT_FALSE(c->provenance.has_value());
}

TEST_F(SbomAttestationLookup, NoAttTagAndNoReferrerIsAFailure) {
  fake_.referrers_api = true;
  auto c = check();
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_FALSE(c->present);
  ASSERT_EQ(c->failures.size(), 1u);
  EXPECT_THAT(c->failures[0].what, HasSubstr(".att does not exist and no referrer"));
}

}  // namespace
}  // namespace distill::sbom
