#include "vuln/database.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/file_util.hpp"
#include "unit/test_util/temp_folder.hpp"
#include "unit/vuln/fake_lookup.hpp"
#include "unit/vuln/testdata.hpp"
#include "vuln/feed_files.hpp"

using namespace distill;
using namespace distill::vuln;
using vuln::test_util::advisory;

namespace {

class DatabaseTest : public distill::test_support::TempFolderTest {};

TEST_F(DatabaseTest, WritesAndFindsByReleaseAndSource) {
  Advisory a =
      advisory("CVE-2023-1", "openssl", "bookworm", "resolved", "3.0.11-1~deb12u2", "high");
  a.description = "bad";
  Advisory b = advisory("CVE-2023-2", "openssl", "trixie", "open", "", "low", "postponed");
  Advisory c = advisory("CVE-2023-1", "openssl", "bookworm", "open", "", "", "", "osv");
  DatabaseInfo info;
  info.sources = {"a.json", "b.zip"};
  info.data_date = 1700000000;
  info.imported_at = 1700000100;
  std::string file = path("sub/vulndb.sqlite");
  ASSERT_TRUE(Database::write(file, {a, b, c, a}, info).ok());
  auto db = Database::open(file);
  ASSERT_TRUE(db.ok()) << db.error().message();
  const DatabaseInfo& got = (*db)->info();
  EXPECT_EQ(got.sources, info.sources);
  EXPECT_EQ(got.data_date, 1700000000);
  EXPECT_EQ(got.imported_at, 1700000100);
  EXPECT_EQ(got.advisories, 3);  // the exact duplicate dropped
  EXPECT_EQ(got.issues, 2);
  EXPECT_EQ(got.packages, 1);
  EXPECT_EQ(got.per_release.at("bookworm"), 2);
  EXPECT_EQ(got.per_release.at("trixie"), 1);
  auto found = (*db)->find("bookworm", "openssl");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0], a);  // tracker row first, description joined back
  EXPECT_EQ((*found)[1].origin, "osv");
  EXPECT_EQ((*found)[1].description, "bad");  // descriptions are per issue id
  auto none = (*db)->find("bookworm", "libssl3");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // No temporary left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(path("sub")),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(DatabaseTest, LanguageRowsAreFoundByEcosystemNotByRelease) {
  Advisory debian = advisory("CVE-2023-1", "requests", "bookworm", "open", "", "high");
  Advisory pypi = advisory("GHSA-x", "requests", "", "resolved", "2.32.0", "medium", "", "osv");
  pypi.ecosystem = "PyPI";
  pypi.affected =
      R"({"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.32.0"}]}],"versions":[]})";
  Advisory npm = pypi;
  npm.ecosystem = "npm";
  std::string file = path("vulndb.sqlite");
  ASSERT_TRUE(Database::write(file, {debian, pypi, npm}, {}).ok());
  auto db = Database::open(file);
  ASSERT_TRUE(db.ok()) << db.error().message();
  auto rows = (*db)->find_language("PyPI", "requests");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0], pypi);
  auto deb = (*db)->find("bookworm", "requests");
  ASSERT_TRUE(deb.ok());
  ASSERT_EQ(deb->size(), 1u);
  EXPECT_EQ((*deb)[0].id, "CVE-2023-1");
  EXPECT_TRUE((*db)->find("", "requests")->empty());  // language rows are not a release's
  EXPECT_EQ((*db)->info().per_release.at("PyPI"), 1);
  EXPECT_EQ((*db)->info().per_release.at("npm"), 1);
}

TEST_F(DatabaseTest, ReplacesAtomically) {
  std::string file = path("vulndb.sqlite");
  DatabaseInfo info;
  ASSERT_TRUE(
      Database::write(file, {advisory("CVE-1", "a", "bookworm", "open", "", "")}, info).ok());
  auto old_db = Database::open(file);
  ASSERT_TRUE(old_db.ok());
  ASSERT_TRUE(
      Database::write(file, {advisory("CVE-2", "b", "bookworm", "open", "", "")}, info).ok());
  // A reader that had the old file open still sees the old data.
  EXPECT_EQ((*old_db)->find("bookworm", "a")->size(), 1u);
  auto new_db = Database::open(file);
  ASSERT_TRUE(new_db.ok());
  EXPECT_TRUE((*new_db)->find("bookworm", "a")->empty());
  EXPECT_EQ((*new_db)->find("bookworm", "b")->size(), 1u);
}

TEST_F(DatabaseTest, MissingOrForeignFileIsAnError) {
  auto missing = Database::open(path("nope.sqlite"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().hint.find("db import"), std::string::npos);
  ASSERT_TRUE(core::write_file_atomic(path("junk.sqlite"), "not a database at all").ok());
  EXPECT_FALSE(Database::open(path("junk.sqlite")).ok());
}

TEST_F(DatabaseTest, AgeInDays) {
  DatabaseInfo info;
  info.data_date = 1000000;
  EXPECT_EQ(database_age_days(info, 1000000 + 7 * 86400), 7);
  EXPECT_EQ(database_age_days(info, 1000000 + 8 * 86400 - 1), 7);
  EXPECT_EQ(database_age_days(info, 1000000 + 8 * 86400), 8);
  EXPECT_EQ(database_age_days(info, 0), 0);
  EXPECT_EQ(database_path("/x/db.sqlite", "/c"), "/x/db.sqlite");
  EXPECT_EQ(database_path("", "/c"), "/c/vulndb.sqlite");
}

TEST_F(DatabaseTest, FeedFilesTellFormatsApart) {
  std::string dir = vuln::test_util::shared_testdata();
  ASSERT_FALSE(dir.empty());
  auto tracker = read_feed(dir + "/debian-security-tracker/vunnel-fixture.json");
  ASSERT_TRUE(tracker.ok()) << tracker.error().message();
  EXPECT_EQ(tracker->size(), 21u);
  ASSERT_TRUE(core::make_dirs(path("osv/nested")).ok());
  ASSERT_TRUE(
      core::write_file_atomic(path("osv/nested/one.json"),
                              R"({"id": "CVE-2024-9", "modified": "x", "affected": [{"package":
                      {"ecosystem": "Debian:12", "name": "zlib"}}]})")
          .ok());
  ASSERT_TRUE(core::write_file_atomic(path("osv/readme.txt"), "ignored").ok());
  auto folder = read_feed(path("osv"));
  ASSERT_TRUE(folder.ok()) << folder.error().message();
  ASSERT_EQ(folder->size(), 1u);
  EXPECT_EQ((*folder)[0].origin, "osv");
  EXPECT_EQ((*folder)[0].status, "open");
  auto single = read_feed(path("osv/nested/one.json"));
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->size(), 1u);
}

}  // namespace
