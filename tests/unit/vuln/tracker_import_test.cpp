#include "vuln/tracker_import.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/file_util.hpp"
#include "unit/vuln/testdata.hpp"

using namespace distill;
using namespace distill::vuln;

namespace {

const Advisory* find(const std::vector<Advisory>& v, std::string_view id, std::string_view pkg,
                     std::string_view release) {
  for (const auto& a : v)
    if (a.id == id && a.source_package == pkg && a.release == release) return &a;
  return nullptr;
}

std::vector<Advisory> load(const std::string& name) {
  std::string dir = vuln::test_util::shared_testdata();
  EXPECT_FALSE(dir.empty()) << "shared/testdata not found above " << __FILE__;
  auto text = core::read_file(dir + "/debian-security-tracker/" + name);
  EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().message());
  if (!text.ok()) return {};
  auto parsed = parse_tracker_json(*text, name);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message());
  return parsed.ok() ? *parsed : std::vector<Advisory>{};
}

TEST(TrackerImport, OsvDevSampleKeepsEveryReleaseAndField) {
  auto v = load("osv-dev-mock.json");
  // busybox 1 issue x 5 releases, apparmor 3 issues x 5 releases.
  EXPECT_EQ(v.size(), 20u);
  const Advisory* open = find(v, "CVE-2018-1000500", "busybox", "bookworm");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->status, "open");
  EXPECT_EQ(open->fixed_version, "");
  EXPECT_EQ(open->urgency, "unimportant");
  EXPECT_EQ(open->origin, kTrackerOrigin);
  EXPECT_TRUE(open->description.starts_with("Busybox contains a Missing SSL"));
  const Advisory* zero = find(v, "CVE-2014-1424", "apparmor", "bookworm");
  ASSERT_NE(zero, nullptr);
  EXPECT_EQ(zero->status, "resolved");
  EXPECT_EQ(zero->fixed_version, "0");
  const Advisory* fixed = find(v, "CVE-2016-1585", "apparmor", "trixie");
  ASSERT_NE(fixed, nullptr);
  EXPECT_EQ(fixed->fixed_version, "3.0.12-1");
  const Advisory* nya = find(v, "CVE-2017-6507", "apparmor", "bookworm");
  ASSERT_NE(nya, nullptr);
  EXPECT_EQ(nya->urgency, "not yet assigned");
  EXPECT_EQ(find(v, "CVE-2018-1000500", "busybox", "buster")->urgency, "end-of-life");
}

TEST(TrackerImport, VunnelSampleHandlesStarredUrgenciesAndEmptyReleases) {
  auto v = load("vunnel-fixture.json");
  const Advisory* a = find(v, "CVE-2008-7220", "prototypejs", "buster");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->urgency, "high**");
  EXPECT_EQ(a->fixed_version, "1.6.0.2-1");
  // "releases": [] gives no advisory, and no error.
  EXPECT_TRUE(std::none_of(v.begin(), v.end(), [](const Advisory& x) {
    return x.source_package == "chromium-browser";
  }));
  const Advisory* sec = find(v, "CVE-2022-0456", "chromium", "bullseye");
  ASSERT_NE(sec, nullptr);
  EXPECT_EQ(sec->fixed_version, "98.0.4758.80-1~deb11u1");
}

TEST(TrackerImport, KeepsNodsaReason) {
  auto v = parse_tracker_json(R"({"openssl": {"CVE-2099-1": {"releases": {"bookworm":
      {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "postponed"}}}}})",
                              "t.json");
  ASSERT_TRUE(v.ok()) << v.error().message();
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0].nodsa_reason, "postponed");
  EXPECT_EQ((*v)[0].description, "");
}

TEST(TrackerImport, EmptyExportHasNoAdvisories) {
  auto v = parse_tracker_json("{}", "t.json");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->empty());
}

TEST(TrackerImport, MalformedInputIsAnErrorNamingTheRecord) {
  auto bad_json = parse_tracker_json("{", "t.json");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_EQ(bad_json.error().where, "t.json");

  auto bad_status = parse_tracker_json(
      R"({"zlib": {"CVE-1": {"releases": {"bookworm": {"status": "weird"}}}}})", "t.json");
  ASSERT_FALSE(bad_status.ok());
  EXPECT_EQ(bad_status.error().where, "t.json: package zlib, CVE-1");
  EXPECT_NE(bad_status.error().what.find("weird"), std::string::npos);

  auto bad_type = parse_tracker_json(
      R"({"zlib": {"CVE-1": {"releases": {"bookworm": {"status": "open", "urgency": 3}}}}})",
      "t.json");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.error().message().find("urgency"), std::string::npos);

  auto resolved_without_fix = parse_tracker_json(
      R"({"zlib": {"CVE-1": {"releases": {"bookworm": {"status": "resolved"}}}}})", "t.json");
  EXPECT_FALSE(resolved_without_fix.ok());

  auto not_object = parse_tracker_json("[]", "t.json");
  EXPECT_FALSE(not_object.ok());
}

}  // namespace
