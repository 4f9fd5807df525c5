#include "vuln/scan.hpp"

#include <gtest/gtest.h>

#include "unit/vuln/fake_lookup.hpp"

using namespace distill;
using namespace distill::vuln;

namespace {

class ScanFixedClock : public core::Clock {
 public:
  int64_t now() const override { return 1700000000; }
  void sleep_for(std::chrono::milliseconds) override {}
};

image::DpkgPackage scanned_package(std::string name, std::string version) {
  image::DpkgPackage p;
  p.name = p.source = std::move(name);
  p.version = p.source_version = std::move(version);
  p.architecture = "amd64";
  p.database_file = "var/lib/dpkg/status.d/" + p.name;
  return p;
}

TEST(ScanImage, MatchesForTheImagesRelease) {
  vuln::test_util::VectorLookup lookup(
      {vuln::test_util::advisory("CVE-1", "openssl", "bookworm", "resolved", "3.0.2", "high")});
  image::OsRelease os;
  os.fields["VERSION_CODENAME"] = "bookworm";
  auto m = match_image(os, {scanned_package("openssl", "3.0.1")}, lookup);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->release, "bookworm");
  ASSERT_EQ(m->findings.size(), 1u);
  EXPECT_EQ(m->findings[0].id, "CVE-1");
}

TEST(ScanImage, AnImageWithoutAReleaseIsAnErrorAboutIt) {
  vuln::test_util::VectorLookup lookup({});
  auto m = match_image(std::nullopt, {}, lookup, "img");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().where.rfind("img", 0), 0u) << m.error().message();
}

TEST(ScanImage, OptionsAreCheckedBeforeTheImageIsOpened) {
  bool opened = false;
  image::ImageOpener open = [&]() -> core::Result<std::unique_ptr<image::ImageSource>> {
    opened = true;
    return core::make_error("img", "not here");
  };
  ScanFixedClock clock;
  ScanOptions o;
  o.fail_on = "dreadful";
  auto r = scan_image(open, o, clock);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "--fail-on");
  o.fail_on.clear();
  o.format = "xml";
  EXPECT_EQ(scan_image(open, o, clock).error().where, "--format");
  o.format = "json";
  o.db = "/nonexistent/vulndb.sqlite";
  EXPECT_FALSE(scan_image(open, o, clock).ok());
  EXPECT_FALSE(opened);
}

TEST(ScanImage, FailsAtFailOn) {
  ScanReport r;
  r.reference = "img";
  Finding f;
  f.id = "CVE-1";
  f.severity = Severity::kHigh;
  r.findings.push_back(f);
  EXPECT_TRUE(scan_status(r).ok());
  r.fail_on = Severity::kHigh;
  auto s = scan_status(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().what, "1 finding at or above severity high");
  EXPECT_EQ(render_scan_report(r, "json", "1.0").back(), '\n');
  EXPECT_EQ(render_scan_report(r, "sarif", "1.0").find("\"version\": \"2.1.0\""), 4u);
}

}  // namespace
