#include "vuln/matcher.hpp"

#include <gtest/gtest.h>

#include "core/file_util.hpp"
#include "unit/vuln/fake_lookup.hpp"
#include "unit/vuln/testdata.hpp"
#include "vuln/tracker_import.hpp"

using namespace distill;
using namespace distill::vuln;
using vuln::test_util::advisory;
using vuln::test_util::VectorLookup;

namespace {

image::DpkgPackage source_pkg(std::string name, std::string source, std::string source_version,
                              std::string file = {}) {
  image::DpkgPackage p;
  p.name = std::move(name);
  p.version = source_version;
  p.architecture = "amd64";
  p.source = std::move(source);
  p.source_version = std::move(source_version);
  p.database_file = file.empty() ? "var/lib/dpkg/status.d/" + p.name : file;
  return p;
}

std::optional<FindingState> eval(std::string status, std::string fixed, std::string installed,
                                 std::string nodsa = {}) {
  return evaluate(advisory("CVE-1", "x", "bookworm", status, fixed, "low", nodsa), installed);
}

TEST(Evaluate, ResolvedAffectsOnlyOlderVersions) {
  EXPECT_EQ(eval("resolved", "3.0.11-1~deb12u2", "3.0.11-1~deb12u1"), FindingState::kFixed);
  EXPECT_EQ(eval("resolved", "3.0.11-1~deb12u2", "3.0.11-1~deb12u2"), std::nullopt);
  EXPECT_EQ(eval("resolved", "3.0.11-1~deb12u2", "3.0.11-1"), std::nullopt);
  // '~' sorts before the end: the backport is older than the release it precedes.
  EXPECT_EQ(eval("resolved", "3.0.11-1", "3.0.11-1~deb12u9"), FindingState::kFixed);
  EXPECT_EQ(eval("resolved", "1.2~rc1-1", "1.2~beta-1"), FindingState::kFixed);
}

TEST(Evaluate, EpochsDominate) {
  EXPECT_EQ(eval("resolved", "1:1.35.0-4", "1.99-1"), FindingState::kFixed);
  EXPECT_EQ(eval("resolved", "1.99-1", "1:1.0-1"), std::nullopt);
  EXPECT_EQ(eval("resolved", "2:1.0-1", "1:9.9-9"), FindingState::kFixed);
}

TEST(Evaluate, FixedZeroMeansNeverAffected) {
  EXPECT_EQ(eval("resolved", "0", "0.1-1"), std::nullopt);
  EXPECT_EQ(eval("resolved", "0", "1:0-0"), std::nullopt);
}

TEST(Evaluate, OpenAndUndeterminedAffectEveryVersion) {
  EXPECT_EQ(eval("open", "", "99:99-99"), FindingState::kOpen);
  EXPECT_EQ(eval("undetermined", "", "1.0-1"), FindingState::kUndetermined);
  EXPECT_EQ(eval("open", "", "1.0-1", "ignored"), FindingState::kWillNotFix);
  EXPECT_EQ(eval("open", "", "1.0-1", "postponed"), FindingState::kFixDeferred);
  // A resolved issue with a fix is fixed whatever nodsa says.
  EXPECT_EQ(eval("resolved", "1.1-1", "1.0-1", "ignored"), FindingState::kFixed);
}

TEST(MatchPackages, MatchesBySourceNotBinaryName) {
  VectorLookup lookup({
      advisory("CVE-2023-1", "openssl", "bookworm", "resolved", "3.0.11-1~deb12u2", "high"),
      // A tracker key equal to a binary name whose source differs must not match.
      advisory("CVE-2023-2", "libssl3", "bookworm", "open", "", "high"),
  });
  std::vector<image::DpkgPackage> installed = {
      source_pkg("libssl3", "openssl", "3.0.11-1~deb12u1"),
      source_pkg("openssl", "openssl", "3.0.11-1~deb12u1")};
  auto f = match_packages(installed, "bookworm", lookup);
  ASSERT_TRUE(f.ok()) << f.error().message();
  ASSERT_EQ(f->size(), 1u);
  EXPECT_EQ((*f)[0].id, "CVE-2023-1");
  EXPECT_EQ((*f)[0].source_package, "openssl");
  EXPECT_EQ((*f)[0].installed_version, "3.0.11-1~deb12u1");
  EXPECT_EQ((*f)[0].binaries, (std::vector<std::string>{"libssl3", "openssl"}));
  EXPECT_EQ((*f)[0].fixed_version, "3.0.11-1~deb12u2");
  EXPECT_EQ((*f)[0].severity, Severity::kHigh);
  EXPECT_EQ((*f)[0].state, FindingState::kFixed);
  EXPECT_EQ((*f)[0].database_files, (std::vector<std::string>{"var/lib/dpkg/status.d/libssl3",
                                                              "var/lib/dpkg/status.d/openssl"}));
}

TEST(MatchPackages, OnlyTheImagesReleaseCounts) {
  VectorLookup lookup({
      advisory("CVE-2023-3", "zlib", "trixie", "open", "", "medium"),
      advisory("CVE-2023-4", "zlib", "bookworm", "resolved", "1:1.2.13.dfsg-2", "low**"),
      advisory("CVE-2023-5", "zlib", "bullseye", "open", "", "high"),
  });
  auto f = match_packages({source_pkg("zlib1g", "zlib", "1:1.2.13.dfsg-1")}, "bookworm", lookup);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 1u);
  EXPECT_EQ((*f)[0].id, "CVE-2023-4");
  EXPECT_EQ((*f)[0].severity, Severity::kLow);
  auto t = match_packages({source_pkg("zlib1g", "zlib", "1:1.2.13.dfsg-1")}, "trixie", lookup);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ((*t)[0].id, "CVE-2023-3");
  EXPECT_EQ((*t)[0].fixed_version, "");
}

TEST(MatchPackages, TrackerWinsOverOsvAndSortsBySeverity) {
  VectorLookup lookup({
      advisory("CVE-2023-6", "curl", "bookworm", "open", "", "low", "", "osv"),
      advisory("CVE-2023-6", "curl", "bookworm", "resolved", "0", "low"),
      advisory("CVE-2023-7", "curl", "bookworm", "open", "", "unimportant"),
      advisory("CVE-2023-8", "curl", "bookworm", "open", "", "high*"),
      advisory("CVE-2023-9", "curl", "bookworm", "open", "", "end-of-life", "", "osv"),
  });
  auto f = match_packages({source_pkg("libcurl4", "curl", "7.88.1-10")}, "bookworm", lookup);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 3u);
  EXPECT_EQ((*f)[0].id, "CVE-2023-8");
  EXPECT_EQ((*f)[1].id, "CVE-2023-7");
  EXPECT_EQ((*f)[1].severity, Severity::kNegligible);
  EXPECT_EQ((*f)[2].id, "CVE-2023-9");
  EXPECT_EQ((*f)[2].severity, Severity::kUnknown);
}

TEST(MatchPackages, SeparateSourceVersionsAreSeparateFindings) {
  VectorLookup lookup(
      {advisory("CVE-2023-10", "gcc-12", "bookworm", "resolved", "12.2.0-15", "low")});
  auto f = match_packages({source_pkg("libgcc-s1", "gcc-12", "12.2.0-14"),
                           source_pkg("libstdc++6", "gcc-12", "12.2.0-15")},
                          "bookworm", lookup);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 1u);
  EXPECT_EQ((*f)[0].binaries, std::vector<std::string>{"libgcc-s1"});
}

TEST(MatchPackages, RealTrackerSample) {
  std::string dir = vuln::test_util::shared_testdata();
  ASSERT_FALSE(dir.empty());
  auto text = core::read_file(dir + "/debian-security-tracker/osv-dev-mock.json");
  ASSERT_TRUE(text.ok());
  auto advisories = parse_tracker_json(*text, "osv-dev-mock.json");
  ASSERT_TRUE(advisories.ok());
  VectorLookup lookup(*advisories);
  auto f = match_packages({source_pkg("busybox", "busybox", "1:1.35.0-4"),
                           source_pkg("apparmor", "apparmor", "3.0.8-3")},
                          "bookworm", lookup);
  ASSERT_TRUE(f.ok());
  // CVE-2014-1424: fixed "0"; CVE-2017-6507: fixed in 2.11.0-3 < 3.0.8-3.
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[0].id, "CVE-2016-1585");
  EXPECT_EQ((*f)[0].state, FindingState::kOpen);
  EXPECT_EQ((*f)[0].severity, Severity::kNegligible);
  EXPECT_EQ((*f)[1].id, "CVE-2018-1000500");
  EXPECT_EQ((*f)[1].installed_version, "1:1.35.0-4");
  // trixie has apparmor's fix at 3.0.12-1: an older trixie install is affected with a fix.
  auto t = match_packages({source_pkg("apparmor", "apparmor", "3.0.8-3")}, "trixie", lookup);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ((*t)[0].id, "CVE-2016-1585");
  EXPECT_EQ((*t)[0].fixed_version, "3.0.12-1");
  EXPECT_EQ((*t)[0].state, FindingState::kFixed);
}

}  // namespace
