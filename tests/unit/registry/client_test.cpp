#include "registry/client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "oci/media_types.hpp"
#include "unit/registry/fake_registry.hpp"

using namespace distill;
using registry::Client;
using registry::test_util::AuthMode;
using registry::test_util::FakeClock;
using registry::test_util::FakeRegistry;
using registry::test_util::kHost;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

class ClientTest : public ::testing::Test {
 protected:
  Client client(registry::ClientOptions o = {}, registry::Credential c = {}) {
    return Client(fake_, clock_, kHost, c, o);
  }
  FakeRegistry fake_;
  FakeClock clock_;
};

TEST_F(ClientTest, PingFallsBackToHttpOnlyWhenAllowed) {
  fake_.https = false;
  auto strict = client();
  auto s = strict.ping();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("--insecure"));
  registry::ClientOptions o;
  o.allow_http = true;
  auto lax = client(o);
  ASSERT_TRUE(lax.ping().ok());
  EXPECT_EQ(lax.base_url(), std::string("http://") + kHost);
}

TEST_F(ClientTest, UploadsMonolithicallyAndSeesTheBlob) {
  auto c = client();
  auto d = oci::Digest::of("layer bytes");
  EXPECT_FALSE(*c.blob_exists("app", d));
  ASSERT_TRUE(c.upload_blob("app", d, "layer bytes").ok());
  EXPECT_TRUE(*c.blob_exists("app", d));
  EXPECT_EQ(fake_.count("PATCH"), 0);
  EXPECT_EQ(c.stats().uploaded, 1);
}

TEST_F(ClientTest, ChunkedUploadHonoursTheRegistrysMinimumChunk) {
  fake_.min_chunk = "4";
  registry::ClientOptions o;
  o.chunk_size = 3;
  auto c = client(o);
  std::string data = "0123456789";
  ASSERT_TRUE(c.upload_blob("app", oci::Digest::of(data), data).ok());
  EXPECT_THAT(fake_.patch_sizes, ElementsAre(4u, 4u, 2u));
  EXPECT_TRUE(*c.blob_exists("app", oci::Digest::of(data)));
}

TEST_F(ClientTest, MountsFromAnotherRepositoryOrReportsRefusal) {
  fake_.put_blob("src", "shared");
  auto c = client();
  auto d = oci::Digest::of("shared");
  auto mounted = c.mount_blob("dst", d, "src");
  ASSERT_TRUE(mounted.ok()) << mounted.error().message();
  EXPECT_TRUE(*mounted);
  EXPECT_TRUE(*c.blob_exists("dst", d));
  fake_.refuse_mounts = true;
  auto refused = c.mount_blob("third", d, "src");
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(*refused);
}

TEST_F(ClientTest, PutsAndGetsManifestsWithTheirMediaType) {
  auto c = client();
  std::string body =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})";
  auto put = c.put_manifest("app", "v1", oci::kMediaTypeIndex, body);
  ASSERT_TRUE(put.ok()) << put.error().message();
  EXPECT_EQ(*put, oci::Digest::of(body));
  auto got = c.get_manifest("app", put->str());
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(got->body, body);
  EXPECT_EQ(got->media_type, oci::kMediaTypeIndex);
  EXPECT_EQ(got->digest, *put);
}

TEST_F(ClientTest, RetriesTransientFailuresWithBackoff) {
  auto c = client();
  fake_.fail_next(1, 503);
  fake_.fail_next(1, 0);
  fake_.fail_next(1, 429);
  auto d = oci::Digest::of("x");
  ASSERT_TRUE(c.blob_exists("app", d).ok());
  EXPECT_THAT(clock_.sleeps,
              ElementsAre(std::chrono::milliseconds(500), std::chrono::milliseconds(1000),
                          std::chrono::milliseconds(2000)));
}

TEST_F(ClientTest, ErrorsThatCannotChangeFailAtOnce) {
  auto c = client();
  fake_.fail_next(1, 403);
  EXPECT_FALSE(c.blob_exists("app", oci::Digest::of("x")).ok());
  fake_.fail_next(1, -1);
  auto r = c.blob_exists("app", oci::Digest::of("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), AllOf(HasSubstr("check blob"), HasSubstr("Unsupported")));
  EXPECT_EQ(fake_.count("HEAD"), 2);
  EXPECT_TRUE(clock_.sleeps.empty());
}

// What get_blob streamed, in order.
std::string pull_blob(Client& c, const oci::Digest& d, core::Status* status = nullptr) {
  std::string got;
  core::Status s = c.get_blob("app", d, [&](std::string_view chunk) {
    got.append(chunk);
    return true;
  });
  if (status) *status = s;
  return got;
}

TEST_F(ClientTest, ACutBlobDownloadResumesWithARangeRequest) {
  auto c = client();
  std::string data(1000, 'a');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  fake_.put_blob("app", data);
  fake_.cut_next_blob_after(300);
  core::Status s;
  EXPECT_EQ(pull_blob(c, oci::Digest::of(data), &s), data);
  EXPECT_TRUE(s.ok()) << s.error().message();
  EXPECT_THAT(fake_.ranges_asked, ElementsAre("bytes=300-"));
}

TEST_F(ClientTest, ACutBlobDownloadSkipsWhatItHasWhenRangeIsIgnored) {
  auto c = client();
  std::string data(1000, 'b');
  data[700] = 'c';
  fake_.put_blob("app", data);
  fake_.honour_range = false;
  fake_.cut_next_blob_after(300);
  EXPECT_EQ(pull_blob(c, oci::Digest::of(data)), data);
  EXPECT_EQ(fake_.count("GET /v2/app/blobs/"), 2);
}

TEST_F(ClientTest, AReceiverThatStopsIsNotRetried) {
  auto c = client();
  fake_.put_blob("app", "payload");
  core::Status s =
      c.get_blob("app", oci::Digest::of("payload"), [](std::string_view) { return false; });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, core::ErrorCode::kAborted);
  EXPECT_EQ(fake_.count("GET /v2/app/blobs/"), 1);
  EXPECT_TRUE(clock_.sleeps.empty());
}

TEST_F(ClientTest, GivesUpAfterTheLastAttemptWithAClearError) {
  auto c = client();
  fake_.fail_next(4, 0);
  auto r = c.blob_exists("team/app", oci::Digest::of("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(),
              AllOf(HasSubstr("127.0.0.1:5000/team/app"), HasSubstr("check blob"),
                    HasSubstr("Connection reset"), HasSubstr("4 attempts")));
}

TEST_F(ClientTest, ErrorsNameTheRepositoryAndTheAction) {
  auto c = client();
  fake_.fail_next(1, 403);
  auto denied = c.put_manifest("team/app", "v1", oci::kMediaTypeManifest, "{}");
  ASSERT_FALSE(denied.ok());
  EXPECT_THAT(denied.error().message(),
              AllOf(HasSubstr("team/app"), HasSubstr("denied"), HasSubstr("push manifest v1")));
  fake_.fail_next(1, 413);
  auto big = c.upload_blob("team/app", oci::Digest::of("b"), "b");
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.error().message(), AllOf(HasSubstr("too large"), HasSubstr("push blob")));
  auto missing = c.get_manifest("team/app", "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message(),
              AllOf(HasSubstr("not found"), HasSubstr("pull manifest nope"),
                    HasSubstr("MANIFEST_UNKNOWN")));
}

TEST_F(ClientTest, BasicAuthIsSentAfterTheChallengeAndNeverShown) {
  fake_.auth = AuthMode::kBasic;
  auto anonymous = client();
  auto r = anonymous.blob_exists("app", oci::Digest::of("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("distill login"));

  auto c = client({}, {"alice", "s3cret-pass"});
  ASSERT_TRUE(c.blob_exists("app", oci::Digest::of("x")).ok());
  auto wrong = client({}, {"alice", "wrong-pass"});
  auto w = wrong.blob_exists("app", oci::Digest::of("x"));
  ASSERT_FALSE(w.ok());
  EXPECT_THAT(w.error().message(),
              AllOf(HasSubstr("not authorized"), Not(HasSubstr("wrong-pass"))));
}

TEST_F(ClientTest, BearerTokenIsFetchedCachedAndRenewedOn401) {
  fake_.auth = AuthMode::kBearer;
  auto c = client({}, {"alice", "s3cret-pass"});
  auto d = oci::Digest::of("layer");
  ASSERT_TRUE(c.upload_blob("team/app", d, "layer").ok());
  ASSERT_TRUE(c.blob_exists("team/app", d).ok());
  EXPECT_EQ(fake_.count("GET /token"), 1);  // cached across requests
  EXPECT_THAT(fake_.token_queries_,
              Contains(AllOf(HasSubstr("service=fake"),
                             HasSubstr("scope=repository%3Ateam%2Fapp%3Apull%2Cpush"))));
  fake_.expire_tokens();
  ASSERT_TRUE(c.blob_exists("team/app", d).ok());
  EXPECT_EQ(fake_.count("GET /token"), 2);
  for (const auto& h : fake_.authorizations()) EXPECT_THAT(h, Not(HasSubstr("s3cret")));
}

TEST_F(ClientTest, BearerWithoutCredentialsIsRefusedClearly) {
  fake_.auth = AuthMode::kBearer;
  auto c = client();
  auto r = c.blob_exists("app", oci::Digest::of("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("token service refused"));
}

TEST_F(ClientTest, DetectsAManifestThatDoesNotMatchItsDigest) {
  auto c = client();
  std::string body = R"({"schemaVersion":2})";
  ASSERT_TRUE(c.put_manifest("app", "v1", oci::kMediaTypeManifest, body).ok());
  auto bad = c.get_manifest("app", oci::Digest::of("other").str());
  ASSERT_FALSE(bad.ok());  // unknown digest: 404
  auto good = c.get_manifest("app", "v1");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->digest, oci::Digest::of(body));
}

TEST_F(ClientTest, ManifestsAndReferrersIndicesStopAt8MiB) {
  auto c = client();
  std::string huge(9 << 20, ' ');
  ASSERT_TRUE(c.put_manifest("app", "big", oci::kMediaTypeManifest, huge).ok());
  auto m = c.get_manifest("app", "big");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.error().message(), HasSubstr("manifest is larger than 8 MiB"));
  EXPECT_THAT(m.error().message(), HasSubstr("not a manifest"));
  fake_.referrers_api = true;
  const oci::Digest subject = oci::Digest::of("subject");
  fake_.referrers["app@" + subject.str()] = huge;
  auto r = c.get_referrers("app", subject);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("referrers index is larger than 8 MiB"));
  EXPECT_THAT(r.error().message(), HasSubstr("not an index"));
  fake_.referrers.clear();
  auto empty = c.get_referrers("app", subject);
  ASSERT_TRUE(empty.ok()) << empty.error().message();
  EXPECT_THAT(empty->value_or(""), HasSubstr("manifests"));
}

}  // namespace
