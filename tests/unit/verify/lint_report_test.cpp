#include "verify/lint_report.hpp"

#include <gtest/gtest.h>

using namespace distill;
using namespace distill::verify;

namespace {

LintReport sample_lint_report() {
  LintReport r;
  r.image = "img";
  r.exit_level = "warn";
  PlatformLint p{"linux/amd64", {}};
  p.findings.push_back({"DISTILL-0001", LintLevel::kFatal, "/bin/sh", "a shell"});
  p.findings.push_back({"DISTILL-0001", LintLevel::kFatal, "/bin/dash", "a shell"});
  p.findings.push_back({"CIS-DI-0001", LintLevel::kWarn, "", "runs as root"});
  r.platforms.push_back(p);
  r.failing = 3;
  return r;
}

TEST(LintReport, TextGroupsFindingsByCheck) {
  std::string text = lint_report_text(sample_lint_report());
  std::string title = find_lint_rule("DISTILL-0001")->title;
  EXPECT_EQ(text.substr(0, text.find("WARN")),
            "Platform linux/amd64: 3 findings\nFATAL - DISTILL-0001: " + title +
                "\n        * /bin/sh: a shell\n        * /bin/dash: a shell\n");
  EXPECT_NE(text.find("        * runs as root\n"), std::string::npos);
}

TEST(LintReport, JsonCountsByLevel) {
  auto j = lint_report_json(sample_lint_report());
  EXPECT_EQ(j["image"], "img");
  EXPECT_EQ(j["images"][0]["summary"]["fatal"], 2);
  EXPECT_EQ(j["images"][0]["summary"]["warn"], 1);
  EXPECT_EQ(j["images"][0]["summary"]["info"], 0);
  EXPECT_TRUE(j["images"][0]["findings"][2]["path"].is_null());
}

TEST(LintReport, SarifHasOneRunPerPlatformAndEveryRule) {
  auto j = lint_report_sarif(sample_lint_report());
  EXPECT_EQ(j["version"], "2.1.0");
  ASSERT_EQ(j["runs"].size(), 1u);
  const auto& run = j["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), lint_rules().size());
  EXPECT_EQ(run["automationDetails"]["id"], "distill-lint/linux/amd64");
  const auto& first = run["results"][0];
  EXPECT_EQ(first["level"], "error");
  EXPECT_EQ(first["message"]["text"], "/bin/sh: a shell");
  EXPECT_EQ(first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "bin/sh");
  EXPECT_EQ(first["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"], "ROOTFS");
  size_t index = first["ruleIndex"];
  EXPECT_EQ(run["tool"]["driver"]["rules"][index]["id"], "DISTILL-0001");
  EXPECT_FALSE(run["results"][2].contains("locations"));
}

TEST(LintReport, FailsAtTheExitLevel) {
  LintReport r = sample_lint_report();
  auto s = lint_status(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where, "img");
  EXPECT_EQ(s.error().what, "3 findings at level warn or above");
  r.failing = 0;
  EXPECT_TRUE(lint_status(r).ok());
}

}  // namespace
