// registry/referrers: the artifact manifest and the referrers tag fallback.
#include "registry/referrers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "oci/media_types.hpp"
#include "unit/registry/fake_registry.hpp"

using namespace distill;
using registry::test_util::FakeClock;
using registry::test_util::FakeRegistry;
using registry::test_util::kHost;
using ::testing::HasSubstr;

namespace {

using json = nlohmann::json;

oci::Descriptor subject() {
  return oci::describe(oci::kMediaTypeManifest, R"({"schemaVersion":2})");
}

registry::Artifact spdx(std::string data) {
  return {"application/spdx+json", "application/spdx+json", std::move(data), {}};
}

TEST(ReferrersTest, TagIsTheSubjectDigestWithADash) {
  EXPECT_EQ(registry::referrers_tag(subject().digest), "sha256-" + subject().digest.hex());
}

TEST(ReferrersTest, ArtifactManifestNamesItsSubjectAndEmptyConfig) {
  auto body = registry::artifact_manifest_json(spdx(R"({"spdxVersion":"SPDX-2.3"})"), subject());
  ASSERT_TRUE(body.ok());
  json m = json::parse(*body);
  EXPECT_EQ(m["schemaVersion"], 2);
  EXPECT_EQ(m["mediaType"], oci::kMediaTypeManifest);
  EXPECT_EQ(m["artifactType"], "application/spdx+json");
  EXPECT_EQ(m["config"]["mediaType"], "application/vnd.oci.empty.v1+json");
  EXPECT_EQ(m["config"]["digest"], oci::Digest::of("{}").str());
  EXPECT_EQ(m["config"]["size"], 2);
  ASSERT_EQ(m["layers"].size(), 1u);
  EXPECT_EQ(m["layers"][0]["digest"], oci::Digest::of(R"({"spdxVersion":"SPDX-2.3"})").str());
  EXPECT_EQ(m["subject"], (json{{"mediaType", oci::kMediaTypeManifest},
                                {"digest", subject().digest.str()},
                                {"size", subject().size}}));
  EXPECT_EQ(*body,
            *registry::artifact_manifest_json(spdx(R"({"spdxVersion":"SPDX-2.3"})"), subject()))
      << "deterministic";
}

TEST(ReferrersTest, AddReferrerKeepsOthersAndReplacesTheSameDigest) {
  oci::Descriptor a = oci::describe(oci::kMediaTypeManifest, "a");
  oci::Descriptor b = oci::describe(oci::kMediaTypeManifest, "b");
  auto one = registry::add_referrer("", a, "application/spdx+json", "tag");
  ASSERT_TRUE(one.ok());
  json i = json::parse(*one);
  EXPECT_EQ(i["mediaType"], oci::kMediaTypeIndex);
  ASSERT_EQ(i["manifests"].size(), 1u);
  EXPECT_EQ(i["manifests"][0]["artifactType"], "application/spdx+json");
  EXPECT_EQ(i["manifests"][0]["digest"], a.digest.str());
  // Someone else's entry (with fields distill does not know) survives verbatim.
  json foreign = json::parse(*one);
  foreign["manifests"].push_back({{"mediaType", oci::kMediaTypeManifest},
                                  {"digest", b.digest.str()},
                                  {"size", 1},
                                  {"artifactType", "application/vnd.example.sig"},
                                  {"x-extra", true}});
  auto two = registry::add_referrer(foreign.dump(), a, "application/vnd.cyclonedx+json", "tag");
  ASSERT_TRUE(two.ok());
  i = json::parse(*two);
  ASSERT_EQ(i["manifests"].size(), 2u);
  EXPECT_EQ(i["manifests"][0], foreign["manifests"][1]);
  EXPECT_EQ(i["manifests"][1]["digest"], a.digest.str());
  EXPECT_EQ(i["manifests"][1]["artifactType"], "application/vnd.cyclonedx+json");
}

TEST(ReferrersTest, AddReferrerRefusesWhatIsNotAnIndex) {
  oci::Descriptor a = oci::describe(oci::kMediaTypeManifest, "a");
  for (const char* bad :
       {"not json", "[]", R"({"mediaType":"application/vnd.oci.image.manifest.v1+json"})",
        R"({"mediaType":"application/vnd.oci.image.index.v1+json","manifests":{}})"}) {
    auto r = registry::add_referrer(bad, a, "t", "repo:sha256-x");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.error().message(), HasSubstr("repo:sha256-x")) << bad;
  }
}

TEST(ReferrersTest, PushUploadsBlobsManifestAndTagIndex) {
  FakeRegistry fake;
  FakeClock clock;
  registry::Client client(fake, clock, kHost, {});
  oci::Descriptor subj = subject();
  auto first = registry::push_referrer(client, "app", subj, spdx("one"));
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_TRUE(fake.has_manifest("app", first->digest.str()));
  std::string tag = registry::referrers_tag(subj.digest);
  ASSERT_TRUE(fake.has_manifest("app", tag));
  auto second = registry::push_referrer(client, "app", subj, spdx("two"));
  ASSERT_TRUE(second.ok());
  auto index = client.get_manifest("app", tag);
  ASSERT_TRUE(index.ok());
  json i = json::parse(index->body);
  ASSERT_EQ(i["manifests"].size(), 2u);
  EXPECT_EQ(i["manifests"][0]["digest"], first->digest.str());
  EXPECT_EQ(i["manifests"][1]["digest"], second->digest.str());
  auto m = client.get_manifest("app", second->digest.str());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(json::parse(m->body)["subject"]["digest"], subj.digest.str());
  EXPECT_EQ(fake.count("POST /v2/app/blobs/uploads/"), 3) << "the empty config once, two SBOMs";
}

TEST(ReferrersTest, PushFailsWhenTheRegistryRefusesTheManifest) {
  FakeRegistry fake;
  FakeClock clock;
  fake.fail_matching = "PUT /v2/app/manifests/";
  registry::Client client(fake, clock, kHost, {});
  auto r = registry::push_referrer(client, "app", subject(), spdx("one"));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(fake.has_manifest("app", registry::referrers_tag(subject().digest)));
}

}  // namespace
