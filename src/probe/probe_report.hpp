#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::probe {

// What a finding means for an attacker with code execution in the app.
enum class Verdict {
  kExposed,  // usable: an executable shell, a writable folder, a capability
  kLimited,  // present but not usable as found (not executable, fails to run)
  kNone,     // the category is empty: nothing there
};
std::string_view verdict_name(Verdict v);  // "exposed", "limited", "none"

struct ProbeFinding {
  std::string category;  // "shell", "interpreter", "network-tool", "package-manager", ...
  std::string item;      // "bash", "/tmp", "CapEff"
  std::string path;      // where it was found, when a file
  Verdict verdict = Verdict::kExposed;
  std::string detail;  // why the verdict
};

// The categories, in report order; each appears in a report at least once
// (a kNone finding when nothing was found).
const std::vector<std::string>& probe_categories();

// Turns the probe's JSON output into findings. `where` names the output in
// errors (malformed JSON, a missing key).
core::Result<std::vector<ProbeFinding>> parse_probe_output(std::string_view output,
                                                           std::string_view where);

// The number of kExposed findings in `category`.
size_t exposed_count(const std::vector<ProbeFinding>& findings, std::string_view category);

// The --format json document and the text report (docs/probe.md).
nlohmann::ordered_json probe_report_json(std::string_view image,
                                         const std::vector<ProbeFinding>& findings);
std::string probe_report_text(std::string_view image, const std::vector<ProbeFinding>& findings);

}  // namespace distill::probe
