#include "vuln/osv_import.hpp"

#include <gtest/gtest.h>

#include "vuln/osv_range.hpp"

using namespace distill;
using namespace distill::vuln;

namespace {

constexpr const char* kRecord = R"({
  "id": "DEBIAN-CVE-2024-0001",
  "modified": "2024-01-02T00:00:00Z",
  "summary": "overflow in foo",
  "affected": [
    {"package": {"ecosystem": "Debian:12", "name": "openssl"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.13-1~deb12u1"}]}],
     "ecosystem_specific": {"urgency": "medium*"}},
    {"package": {"ecosystem": "Debian:13", "name": "openssl"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]},
    {"package": {"ecosystem": "PyPI", "name": "cryptography"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "42"}]}]},
    {"package": {"ecosystem": "Debian:9", "name": "openssl"}}
  ]
})";

TEST(OsvImport, KeepsKnownDebianReleasesAndLanguageEcosystems) {
  auto v = parse_osv_json(kRecord, "r.json");
  ASSERT_TRUE(v.ok()) << v.error().message();
  ASSERT_EQ(v->size(), 3u);
  const Advisory& bookworm = (*v)[0];
  EXPECT_EQ(bookworm.id, "CVE-2024-0001");
  EXPECT_EQ(bookworm.source_package, "openssl");
  EXPECT_EQ(bookworm.release, "bookworm");
  EXPECT_EQ(bookworm.status, "resolved");
  EXPECT_EQ(bookworm.fixed_version, "3.0.13-1~deb12u1");
  EXPECT_EQ(bookworm.urgency, "medium*");
  EXPECT_EQ(bookworm.description, "overflow in foo");
  EXPECT_EQ(bookworm.origin, kOsvOrigin);
  const Advisory& trixie = (*v)[1];
  EXPECT_EQ(trixie.release, "trixie");
  EXPECT_EQ(trixie.status, "open");
  EXPECT_EQ(trixie.fixed_version, "");
  const Advisory& pypi = (*v)[2];
  EXPECT_EQ(pypi.ecosystem, "PyPI");
  EXPECT_EQ(pypi.release, "");
  EXPECT_EQ(pypi.source_package, "cryptography");
  EXPECT_EQ(pypi.fixed_version, "42");
  auto ranges = osv_affected_from_json(pypi.affected);
  ASSERT_TRUE(ranges.ok()) << ranges.error().message();
  ASSERT_EQ(ranges->ranges.size(), 1u);
  EXPECT_EQ(ranges->ranges[0].events.size(), 2u);
}

TEST(OsvImport, LanguageRecordsKeepRangesVersionsAndSeverity) {
  auto v = parse_osv_json(R"({
    "id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-01-01T00:00:00Z", "summary": "s",
    "database_specific": {"severity": "MODERATE"},
    "affected": [
      {"package": {"ecosystem": "PyPI", "name": "Foo.Bar_baz"},
       "ranges": [{"type": "GIT", "repo": "x", "events": [{"introduced": "0"}]},
                  {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"last_affected": "1.2"}]}],
       "versions": ["1.0", "1.1"]},
      {"package": {"ecosystem": "npm", "name": "@scope/pkg"},
       "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}],
       "database_specific": {"severity": "CRITICAL"}},
      {"package": {"ecosystem": "Go", "name": "example.com/mod"},
       "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"limit": "1.5.0"}]}]},
      {"package": {"ecosystem": "Maven", "name": "org.example:lib"},
       "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}
    ]})",
                          "r.json");
  ASSERT_TRUE(v.ok()) << v.error().message();
  ASSERT_EQ(v->size(), 4u);
  EXPECT_EQ((*v)[0].source_package, "foo-bar-baz");  // PEP 503
  EXPECT_EQ((*v)[0].urgency, "medium");
  EXPECT_EQ((*v)[0].status, "open");
  auto pypi = osv_affected_from_json((*v)[0].affected);
  ASSERT_TRUE(pypi.ok());
  EXPECT_EQ(pypi->ranges.size(), 1u);  // the GIT range is dropped
  EXPECT_EQ(pypi->versions, (std::vector<std::string>{"1.0", "1.1"}));
  EXPECT_EQ((*v)[1].source_package, "@scope/pkg");
  EXPECT_EQ((*v)[1].urgency, "critical");
  EXPECT_EQ((*v)[1].fixed_version, "2.0.0");
  EXPECT_EQ((*v)[2].ecosystem, "Go");
  EXPECT_EQ((*v)[3].source_package, "org.example:lib");
}

TEST(OsvImport, AnEventWithTwoVersionsIsAnError) {
  auto v = parse_osv_json(R"({"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "a"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1.0.0"}]}]}]})",
                          "r.json");
  EXPECT_FALSE(v.ok());
}

TEST(OsvImport, AcceptsAListOfRecords) {
  auto v = parse_osv_json(std::string("[") + kRecord + "," + kRecord + "]", "r.json");
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->size(), 6u);
}

TEST(OsvImport, ErrorsNameTheFile) {
  auto no_id = parse_osv_json(R"({"affected": []})", "r.json");
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().where, "r.json");
  auto bad = parse_osv_json(R"({"id": "X", "affected": {}})", "r.json");
  EXPECT_FALSE(bad.ok());
}

}  // namespace
