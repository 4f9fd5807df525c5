#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "image/image_source.hpp"
#include "verify/lint.hpp"

namespace distill::verify {

// What `distill lint` is asked for (docs/lint.md).
struct LintOptions {
  std::string platform;              // "os/arch[/variant]"; empty: every platform image
  std::string exit_level = "fatal";  // "info", "warn" or "fatal"
  // Findings left out of the report: "ID", "/path" or "ID:/path" (finding_ignore.hpp).
  std::vector<std::string> ignore;
};

struct PlatformLint {
  std::string platform;  // "linux/amd64"
  std::vector<LintFinding> findings;
};

struct LintReport {
  std::string image;  // the reference as given
  std::string exit_level;
  std::vector<PlatformLint> platforms;
  size_t failing = 0;  // findings at exit_level or above
};

// Lints each selected platform image of `source`.
core::Result<LintReport> lint_source(image::ImageSource& source, const LintOptions& options);

// The findings grouped by level and check, one line per finding.
std::string lint_report_text(const LintReport& report);
// {"image", "images": [{"platform", "summary", "findings"}]}.
nlohmann::ordered_json lint_report_json(const LintReport& report);
// SARIF 2.1.0: one run per platform, every check described once in the driver.
nlohmann::ordered_json lint_report_sarif(const LintReport& report);

// An error when findings reach the exit level: `distill lint` exits 1.
core::Status lint_status(const LintReport& report);

}  // namespace distill::verify
