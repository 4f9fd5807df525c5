#include "builder/registry_cache.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builder/layer_cache.hpp"
#include "builder/resolution_cache.hpp"
#include "core/json.hpp"
#include "unit/registry/fake_registry.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using registry::test_util::FakeClock;
using registry::test_util::FakeRegistry;
using registry::test_util::kHost;
using ::testing::HasSubstr;

namespace {

class CacheWarnings : public builder::BuildObserver {
 public:
  void cache_warning(const std::string& line) override { lines.push_back(line); }
  std::vector<std::string> lines;
};

class RegistryCacheTest : public test_support::TempFolderTest {
 protected:
  void SetUp() override {
    TempFolderTest::SetUp();
    opts_.cache_repo = &remote_;
    opts_.observer = &warnings_;
  }

  cache::Cache open_cache(const std::string& name) {
    auto c = cache::Cache::open(path(name));
    EXPECT_TRUE(c.ok()) << c.error().message();
    return std::move(c).value();
  }

  static std::vector<oci::FsEntry> layer_entries() {
    return {oci::FsEntry::directory("etc"), oci::FsEntry::file("etc/hello", "hello\n")};
  }

  // The layer as machine A builds it, with or without the cache repo.
  oci::LayerBlob build_on_a(const builder::BuildOptions& opts) {
    cache::Cache a = open_cache("a");
    nlohmann::json notes = {{"stripped", {"usr/bin/su"}}};
    auto blob = builder::write_cached_layer(a, "k1", layer_entries(), opts, notes);
    EXPECT_TRUE(blob.ok()) << blob.error().message();
    return std::move(blob).value();
  }

  FakeRegistry fake_;
  FakeClock clock_;
  registry::Client client_{fake_, clock_, kHost, {}, {}};
  builder::RegistryCache remote_{client_, "cache"};
  CacheWarnings warnings_;
  builder::BuildOptions opts_;
};

TEST_F(RegistryCacheTest, AMissingEntryIsAQuietMiss) {
  cache::Cache b = open_cache("b");
  EXPECT_FALSE(builder::cached_layer(b, "k1", opts_).has_value());
  EXPECT_TRUE(warnings_.lines.empty());
  EXPECT_EQ(remote_.stats().layers_pulled.load(), 0);
}

TEST_F(RegistryCacheTest, ABuiltLayerIsPushedAndPulledVerifiedOnAnotherMachine) {
  oci::LayerBlob built = build_on_a(opts_);
  EXPECT_TRUE(fake_.has_manifest("cache", "layer-k1"));
  EXPECT_EQ(remote_.stats().records_pushed.load(), 1);

  cache::Cache b = open_cache("b");
  nlohmann::json notes;
  auto hit = builder::cached_layer(b, "k1", opts_, &notes);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->digest, built.digest);
  EXPECT_EQ(hit->diff_id, built.diff_id);
  EXPECT_EQ(hit->size, built.size);
  EXPECT_EQ(notes["stripped"], nlohmann::json({"usr/bin/su"}));
  EXPECT_TRUE(b.lookup(built.digest.hex(), static_cast<uint64_t>(built.size)).has_value());
  EXPECT_EQ(remote_.stats().layers_pulled.load(), 1);
  EXPECT_TRUE(warnings_.lines.empty());

  // Recorded locally: the next lookup reads no blob from the registry.
  fake_.clear_log();
  ASSERT_TRUE(builder::cached_layer(b, "k1", opts_).has_value());
  EXPECT_EQ(fake_.count("GET /v2/cache/blobs/"), 0);
  EXPECT_EQ(remote_.stats().layers_pulled.load(), 1);
}

TEST_F(RegistryCacheTest, AnExistingBlobIsNotUploadedAgain) {
  oci::LayerBlob built = build_on_a(opts_);
  fake_.clear_log();
  cache::Cache a = open_cache("a");
  auto again = builder::write_cached_layer(a, "k2", layer_entries(), opts_);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->digest, built.digest);
  // Only the new record is uploaded: the layer and the empty config are there.
  EXPECT_EQ(fake_.count("POST /v2/cache/blobs/uploads/"), 1);
  for (const auto& line : fake_.log())
    EXPECT_EQ(line.find(built.digest.hex()) != std::string::npos && line.rfind("PUT", 0) == 0,
              false)
        << line;
  EXPECT_TRUE(fake_.has_manifest("cache", "layer-k2"));
}

TEST_F(RegistryCacheTest, ALocalHitTheCacheRepoLacksIsStoredThere) {
  builder::BuildOptions local;
  build_on_a(local);
  EXPECT_FALSE(fake_.has_manifest("cache", "layer-k1"));
  cache::Cache a = open_cache("a");
  ASSERT_TRUE(builder::cached_layer(a, "k1", opts_).has_value());
  EXPECT_TRUE(fake_.has_manifest("cache", "layer-k1"));
}

TEST_F(RegistryCacheTest, ATamperedBlobIsRefusedWithOneWarning) {
  oci::LayerBlob built = build_on_a(opts_);
  fake_.corrupt_blob(built.digest.str());
  cache::Cache b = open_cache("b");
  EXPECT_FALSE(builder::cached_layer(b, "k1", opts_).has_value());
  ASSERT_EQ(warnings_.lines.size(), 1u);
  EXPECT_THAT(warnings_.lines[0], HasSubstr("cache repo 127.0.0.1:5000/cache: layer-k1: refused"));
  EXPECT_FALSE(b.read_named("layer-k1").has_value());
  EXPECT_FALSE(b.lookup(built.digest.hex()).has_value());
  EXPECT_EQ(remote_.stats().layers_pulled.load(), 0);
}

TEST_F(RegistryCacheTest, ABlobOfAnotherDiffIdIsRefused) {
  builder::BuildOptions local;
  oci::LayerBlob built = build_on_a(local);
  cache::Cache a = open_cache("a");
  auto text = a.read_named("layer-k1");
  ASSERT_TRUE(text.has_value());
  auto record = core::parse_json(*text);
  ASSERT_TRUE(record.ok());
  (*record)["diff_id"] = oci::Digest::of("another tar").str();
  oci::Descriptor d{built.media_type, built.digest, built.size, {}, std::nullopt};
  ASSERT_TRUE(remote_.store("layer-k1", *record, &d, built.path).ok());

  cache::Cache b = open_cache("b");
  EXPECT_FALSE(builder::cached_layer(b, "k1", opts_).has_value());
  ASSERT_EQ(warnings_.lines.size(), 1u);
  EXPECT_THAT(warnings_.lines[0], HasSubstr("not the recorded diff_id"));
  EXPECT_FALSE(b.read_named("layer-k1").has_value());
}

TEST_F(RegistryCacheTest, AnEntryUnderAnotherNameIsRefused) {
  oci::LayerBlob built = build_on_a(opts_);
  auto moved = client_.get_manifest("cache", "layer-k1");
  ASSERT_TRUE(moved.ok());
  ASSERT_TRUE(client_.put_manifest("cache", "layer-k9", moved->media_type, moved->body).ok());
  cache::Cache b = open_cache("b");
  EXPECT_FALSE(builder::cached_layer(b, "k9", opts_).has_value());
  ASSERT_EQ(warnings_.lines.size(), 1u);
  EXPECT_THAT(warnings_.lines[0], HasSubstr("of another entry"));
}

TEST_F(RegistryCacheTest, AResolutionIsSharedToo) {
  builder::SolvedArch solved;
  solved.locked.packages.push_back({"libc6", "2.36-9", "amd64", "bookworm",
                                    "pool/main/g/glibc/libc6_2.36-9_amd64.deb",
                                    std::string(64, 'c'), 1000});
  solved.dropped = {"tzdata -> debconf (dropped)"};
  cache::Cache a = open_cache("a");
  ASSERT_TRUE(builder::store_resolution(a, "r1", "debian12", "amd64", solved, opts_).ok());
  EXPECT_TRUE(fake_.has_manifest("cache", "resolution-r1"));
  cache::Cache b = open_cache("b");
  EXPECT_FALSE(builder::cached_resolution(b, "r1", "arm64", opts_).has_value());
  EXPECT_EQ(warnings_.lines.size(), 1u);
  auto hit = builder::cached_resolution(b, "r1", "amd64", opts_);
  ASSERT_TRUE(hit.has_value());
  ASSERT_EQ(hit->locked.packages.size(), 1u);
  EXPECT_EQ(hit->locked.packages[0].name, "libc6");
  EXPECT_EQ(hit->dropped, solved.dropped);
  EXPECT_EQ(remote_.stats().resolutions_pulled.load(), 1);
}

TEST_F(RegistryCacheTest, AnUnreachableRegistryIsAWarningNotAFailure) {
  fake_.fail_matching = "GET /v2/cache/manifests/";
  cache::Cache b = open_cache("b");
  EXPECT_FALSE(builder::cached_layer(b, "k1", opts_).has_value());
  ASSERT_EQ(warnings_.lines.size(), 1u);
  EXPECT_THAT(warnings_.lines[0], HasSubstr("building it here"));
}

TEST_F(RegistryCacheTest, ATagOrDigestIsNotACacheRepository) {
  auto r = builder::RegistryCache::connect("127.0.0.1:1/cache:v1", {});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("names a tag or digest"));
}

}  // namespace
