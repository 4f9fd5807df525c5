#include "sbom/inventory_cache.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "unit/image/image_test_util.hpp"

using namespace distill;
using namespace distill::image::test_util;
using ::testing::HasSubstr;

namespace {

const char* kCachedStatus =
    "Package: libssl3\nStatus: install ok installed\nVersion: 3.0.15-1~deb12u1\n"
    "Architecture: amd64\nSource: openssl\nInstalled-Size: 6000\n\n"
    "Package: old\nStatus: deinstall ok config-files\nVersion: 1\nArchitecture: amd64\n";

class InventoryCacheTest : public TempFolderTest {
 protected:
  void SetUp() override {
    TempFolderTest::SetUp();
    auto c = cache::Cache::open(path("cache"));
    ASSERT_TRUE(c.ok());
    cache_.emplace(std::move(*c));
    img_ = image_of(dir_->path(),
                    {make_tar({file("var/lib/dpkg/status", kCachedStatus),
                               file("etc/os-release", "ID=debian\nVERSION_CODENAME=bookworm\n"),
                               file("usr/share/doc/libssl3/copyright", "License: Apache-2.0\n")})});
    digest_ = write_layout(path("img"), {img_});
  }
  core::Result<sbom::ImageInventory> read(bool copyrights, bool use_cache = true) {
    return sbom::read_inventory(path("img"), {"", copyrights, use_cache ? &*cache_ : nullptr, {}});
  }
  // Makes the layers unreadable: only a record can answer now.
  void remove_layers() {
    for (const auto& l : img_.layers)
      ASSERT_EQ(::unlink(path("img/blobs/sha256/" + l.digest.hex()).c_str()), 0);
  }

  std::optional<cache::Cache> cache_;
  oci::Image img_;
  std::string digest_;
};

TEST_F(InventoryCacheTest, RecordRoundTripsEveryField) {
  auto inv = read(true, false);
  ASSERT_TRUE(inv.ok()) << inv.error().message();
  ASSERT_EQ(inv->packages.size(), 1u);
  ASSERT_TRUE(inv->os.has_value());
  auto record = sbom::inventory_record(*inv);
  ASSERT_TRUE(record.ok()) << record.error().message();
  auto back = sbom::parse_inventory_record(*record, "rec");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->digest, digest_);
  EXPECT_EQ(back->platform, "linux/amd64");
  EXPECT_EQ(back->created, inv->created);
  EXPECT_EQ(back->os->fields, inv->os->fields);
  EXPECT_EQ(back->os->file, "etc/os-release");
  const auto& p = back->packages.at(0);
  EXPECT_EQ(p.name, "libssl3");
  EXPECT_EQ(p.version, "3.0.15-1~deb12u1");
  EXPECT_EQ(p.source, "openssl");
  EXPECT_EQ(p.source_version, "3.0.15-1~deb12u1");
  EXPECT_EQ(p.installed_size_kib, std::optional<uint64_t>(6000));
  EXPECT_EQ(p.status, "install ok installed");
  EXPECT_EQ(p.database_file, "var/lib/dpkg/status");
  EXPECT_EQ(back->copyrights, inv->copyrights);
  EXPECT_EQ(back->copyrights.at("libssl3"), "License: Apache-2.0\n");
}

TEST_F(InventoryCacheTest, ForeignOrCorruptRecordsAreErrors) {
  EXPECT_FALSE(sbom::parse_inventory_record("not json", "rec").ok());
  EXPECT_FALSE(sbom::parse_inventory_record("{}", "rec").ok());
  auto other = sbom::parse_inventory_record(R"({"version":"inventory-v0"})", "rec");
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.error().message(), HasSubstr("another version"));
  EXPECT_FALSE(sbom::parse_inventory_record(
                   R"({"version":"inventory-v2","digest":1,"platform":"","created":0,)"
                   R"("packages":[],"copyrights":{}})",
                   "rec")
                   .ok());
}

TEST_F(InventoryCacheTest, KeysDependOnDigestAndCopyrights) {
  EXPECT_NE(sbom::inventory_cache_key("sha256:aa", false),
            sbom::inventory_cache_key("sha256:bb", false));
  EXPECT_NE(sbom::inventory_cache_key("sha256:aa", false),
            sbom::inventory_cache_key("sha256:aa", true));
}

TEST_F(InventoryCacheTest, ASecondReadNeedsNoLayer) {
  auto first = read(false);
  ASSERT_TRUE(first.ok()) << first.error().message();
  remove_layers();
  EXPECT_FALSE(read(false, false).ok()) << "without the cache the layers are read";
  auto second = read(false);
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(second->digest, digest_);
  EXPECT_EQ(second->reference, path("img"));
  EXPECT_EQ(second->name, "img") << "a bare tag names no image";
  ASSERT_EQ(second->packages.size(), 1u);
  EXPECT_EQ(second->packages[0].name, "libssl3");
  EXPECT_EQ(second->os->get("VERSION_CODENAME"), "bookworm");
  EXPECT_TRUE(second->copyrights.empty());
  EXPECT_FALSE(read(true).ok()) << "a record without copyrights does not answer an SBOM";
}

TEST_F(InventoryCacheTest, AnSbomRecordAnswersAScan) {
  ASSERT_TRUE(read(true).ok());
  remove_layers();
  auto scan = read(false);
  ASSERT_TRUE(scan.ok()) << scan.error().message();
  EXPECT_EQ(scan->packages.size(), 1u);
  EXPECT_TRUE(scan->copyrights.empty()) << "a scan's inventory has none";
  auto sbom = read(true);
  ASSERT_TRUE(sbom.ok());
  EXPECT_EQ(sbom->copyrights.size(), 1u);
}

TEST_F(InventoryCacheTest, ARecordForAnotherDigestIsAMiss) {
  auto first = read(false);
  ASSERT_TRUE(first.ok());
  sbom::ImageInventory forged = *first;
  forged.digest = "sha256:" + std::string(64, 'a');
  forged.packages.clear();
  auto record = sbom::inventory_record(forged);
  ASSERT_TRUE(record.ok());
  ASSERT_TRUE(cache_->write_named(sbom::inventory_cache_key(digest_, false), *record).ok());
  auto again = read(false);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->packages.size(), 1u) << "the layers were read again";
  ASSERT_TRUE(cache_->write_named(sbom::inventory_cache_key(digest_, false), "garbage").ok());
  again = read(false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->packages.size(), 1u);
}

TEST_F(InventoryCacheTest, NonUtf8FieldsAreNotRecorded) {
  auto inv = read(false, false);
  ASSERT_TRUE(inv.ok());
  inv->packages[0].version = "1.0\xff";
  auto record = sbom::inventory_record(*inv);
  ASSERT_FALSE(record.ok());
  EXPECT_THAT(record.error().message(), HasSubstr("cannot record the inventory"));
}

}  // namespace
