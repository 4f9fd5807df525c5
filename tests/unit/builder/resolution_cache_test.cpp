#include "builder/resolution_cache.hpp"

#include <gtest/gtest.h>

#include "unit/test_util/temp_folder.hpp"

using namespace distill;

namespace {

class ResolutionCacheTest : public test_support::TempFolderTest {
 protected:
  void SetUp() override {
    TempFolderTest::SetUp();
    spec_.packages = {"libc6", "tzdata"};
    preset_.name = "static";
    preset_.roots = {"base-files"};
    origins_.push_back({});
    origins_.back().suite = "bookworm";
    origins_.back().component = "main";
    origins_.back().sha256 = std::string(64, 'a');
  }
  std::string key() { return builder::resolution_key(spec_, preset_, "amd64", origins_); }

  builder::Spec spec_;
  builder::Preset preset_;
  std::vector<debian::IndexOrigin> origins_;
};

TEST_F(ResolutionCacheTest, KeyDependsOnTheRequestNotItsOrder) {
  const std::string k = key();
  EXPECT_EQ(k.size(), 64u);
  EXPECT_EQ(key(), k);
  spec_.packages = {"tzdata", "libc6", "tzdata"};
  EXPECT_EQ(key(), k);
  EXPECT_NE(builder::resolution_key(spec_, preset_, "arm64", origins_), k);
  origins_.back().sha256 = std::string(64, 'b');
  EXPECT_NE(key(), k);
  origins_.back().sha256 = std::string(64, 'a');
  spec_.allow_shells = true;
  EXPECT_NE(key(), k);
  spec_.allow_shells = false;
  spec_.debug = true;  // busybox-static is extracted
  EXPECT_NE(key(), k);
}

TEST_F(ResolutionCacheTest, StoresAndReadsBack) {
  auto cache = cache::Cache::open(path("cache"));
  ASSERT_TRUE(cache.ok());
  builder::SolvedArch solved;
  solved.locked.packages.push_back({"libc6", "2.36-9", "amd64", "bookworm",
                                    "pool/main/g/glibc/libc6_2.36-9_amd64.deb",
                                    std::string(64, 'c'), 1000});
  solved.dropped = {"tzdata -> debconf (dropped)"};
  EXPECT_FALSE(builder::cached_resolution(*cache, key(), "amd64").has_value());
  ASSERT_TRUE(builder::store_resolution(*cache, key(), "debian12", "amd64", solved).ok());
  auto hit = builder::cached_resolution(*cache, key(), "amd64");
  ASSERT_TRUE(hit.has_value());
  ASSERT_EQ(hit->locked.packages.size(), 1u);
  EXPECT_EQ(hit->locked.packages[0].name, "libc6");
  EXPECT_EQ(hit->dropped, solved.dropped);
  EXPECT_FALSE(builder::cached_resolution(*cache, key(), "arm64").has_value());
}

}  // namespace
