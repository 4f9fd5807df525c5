#include "vuln/scan_report.hpp"

#include <gtest/gtest.h>

#include "vuln/sarif.hpp"

using namespace distill::vuln;

namespace {

Finding finding(std::string id, Severity s, std::string fixed) {
  Finding f;
  f.id = std::move(id);
  f.source_package = "openssl";
  f.installed_version = "3.0.11-1~deb12u1";
  f.binaries = {"libssl3"};
  f.database_files = {"var/lib/dpkg/status.d/libssl3"};
  f.fixed_version = std::move(fixed);
  f.state = f.fixed_version.empty() ? FindingState::kOpen : FindingState::kFixed;
  f.severity = s;
  return f;
}

ScanReport report() {
  ScanReport r;
  r.name = "app:1";
  r.digest = "sha256:00";
  r.release = "bookworm";
  r.findings = {finding("CVE-1", Severity::kHigh, "3.0.11-1~deb12u2"),
                finding("CVE-2", Severity::kMedium, ""), finding("CVE-3", Severity::kLow, "")};
  return r;
}

TEST(ScanReport, IgnoreUnfixedAndIgnoreList) {
  ScanReport r = report();
  filter_findings(r, /*ignore_unfixed=*/true, {{"CVE-1", "accepted"}});
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.ignored.size(), 1u);
  EXPECT_EQ(r.ignored[0].finding.id, "CVE-1");
  EXPECT_EQ(r.ignored[0].reason, "accepted");

  ScanReport keep = report();
  filter_findings(keep, false, {{"CVE-3", "fine"}});
  EXPECT_EQ(keep.findings.size(), 2u);
  EXPECT_EQ(keep.ignored.size(), 1u);
}

TEST(ScanReport, FailOnCountsAtOrAbove) {
  ScanReport r = report();
  EXPECT_EQ(r.failing(), 0u);
  r.fail_on = Severity::kMedium;
  EXPECT_EQ(r.failing(), 2u);
  r.fail_on = Severity::kCritical;
  EXPECT_EQ(r.failing(), 0u);
  r.fail_on = Severity::kUnknown;
  EXPECT_EQ(r.failing(), 3u);
}

TEST(ScanReport, JsonAndTable) {
  ScanReport r = report();
  filter_findings(r, false, {{"CVE-3", "fine"}});
  auto j = report_json(r);
  EXPECT_EQ(j["findings"].size(), 2u);
  EXPECT_EQ(j["findings"][0]["fixed_version"], "3.0.11-1~deb12u2");
  EXPECT_TRUE(j["findings"][1]["fixed_version"].is_null());
  EXPECT_EQ(j["findings"][0]["status"], "fixed");
  EXPECT_EQ(j["findings"][1]["status"], "affected");
  EXPECT_EQ(j["ignored"][0]["reason"], "fine");
  EXPECT_EQ(j["summary"]["by_severity"]["high"], 1);
  std::string table = report_table(r);
  EXPECT_NE(table.find("CVE-1  high"), std::string::npos) << table;
  EXPECT_NE(table.find("Total: 2 (1 high, 1 medium)"), std::string::npos) << table;
  EXPECT_NE(table.find("Ignored: CVE-3 in openssl (fine)"), std::string::npos) << table;
}

TEST(Sarif, RulesResultsAndSuppressions) {
  ScanReport r = report();
  filter_findings(r, false, {{"CVE-3", "fine"}});
  auto s = report_sarif(r, "1.2.3");
  EXPECT_EQ(s["version"], "2.1.0");
  const auto& run = s["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), 3u);
  ASSERT_EQ(run["results"].size(), 3u);
  EXPECT_EQ(run["results"][0]["level"], "error");
  EXPECT_EQ(run["results"][1]["level"], "warning");
  EXPECT_EQ(run["results"][2]["level"], "note");
  EXPECT_EQ(run["results"][2]["suppressions"][0]["justification"], "fine");
  EXPECT_EQ(run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "var/lib/dpkg/status.d/libssl3");
  EXPECT_EQ(run["tool"]["driver"]["rules"][0]["properties"]["security-severity"], "8.0");
}

TEST(ScanReport, VexSuppressedFindingsNeverFail) {
  ScanReport r = report();
  VexDocument doc;
  doc.where = "vex.json";
  VexStatement s;
  s.vulnerability = "CVE-1";
  s.products = {{"pkg:deb/debian/openssl", {}}};
  s.status = VexStatus::kNotAffected;
  s.justification = "vulnerable_code_not_in_execute_path";
  doc.statements = {s};
  r.fail_on = Severity::kHigh;
  EXPECT_EQ(r.failing(), 1u);
  r.suppressed = apply_vex(r.findings, {doc}, {r.digest});
  EXPECT_EQ(r.failing(), 0u) << "a suppressed finding never fails --fail-on";
  auto j = report_json(r);
  EXPECT_EQ(j["findings"].size(), 2u);
  ASSERT_EQ(j["suppressed"].size(), 1u);
  EXPECT_EQ(j["suppressed"][0]["id"], "CVE-1");
  EXPECT_EQ(j["suppressed"][0]["vex"]["status"], "not_affected");
  EXPECT_EQ(j["suppressed"][0]["vex"]["justification"], "vulnerable_code_not_in_execute_path");
  EXPECT_EQ(j["suppressed"][0]["vex"]["document"], "vex.json");
  EXPECT_EQ(j["suppressed"][0]["vex"]["statement"], 0);
  EXPECT_EQ(j["failing"], 0);
  std::string table = report_table(r);
  EXPECT_NE(table.find("Suppressed: CVE-1 in openssl (VEX not_affected: "
                       "vulnerable_code_not_in_execute_path (vex.json, statement 0))"),
            std::string::npos)
      << table;
  auto sarif = report_sarif(r, "1");
  const auto& results = sarif["runs"][0]["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[2]["ruleId"], "CVE-1");
  EXPECT_EQ(results[2]["suppressions"][0]["kind"], "external");
  EXPECT_EQ(results[2]["suppressions"][0]["status"], "accepted");
  EXPECT_EQ(results[2]["suppressions"][0]["justification"],
            "VEX not_affected: vulnerable_code_not_in_execute_path (vex.json, statement 0)");
}

}  // namespace
