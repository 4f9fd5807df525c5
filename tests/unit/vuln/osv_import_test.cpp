#include "vuln/osv_import.hpp"

#include <gtest/gtest.h>

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

TEST(OsvImport, KeepsDebianReleasesOnly) {
  auto v = parse_osv_json(kRecord, "r.json");
  ASSERT_TRUE(v.ok()) << v.error().message();
  ASSERT_EQ(v->size(), 2u);
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
}

TEST(OsvImport, AcceptsAListOfRecords) {
  auto v = parse_osv_json(std::string("[") + kRecord + "," + kRecord + "]", "r.json");
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->size(), 4u);
}

TEST(OsvImport, ErrorsNameTheFile) {
  auto no_id = parse_osv_json(R"({"affected": []})", "r.json");
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().where, "r.json");
  auto bad = parse_osv_json(R"({"id": "X", "affected": {}})", "r.json");
  EXPECT_FALSE(bad.ok());
}

}  // namespace
