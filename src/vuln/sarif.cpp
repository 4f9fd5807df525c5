#include "vuln/sarif.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <string>

#include "core/sarif.hpp"

namespace distill::vuln {
namespace {

using ordered_json = nlohmann::ordered_json;

std::string_view level_of(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    default:
      return "note";
  }
}

// CVSS-like scores in the middle of each band dashboards use.
std::string_view security_severity(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "9.5";
    case Severity::kHigh:
      return "8.0";
    case Severity::kMedium:
      return "5.5";
    case Severity::kLow:
      return "2.0";
    case Severity::kNegligible:
      return "0.1";
    case Severity::kUnknown:
      return "";
  }
  return "";
}

core::sarif::Rule rule_of(const Finding& f) {
  ordered_json props = {{"tags", {"security", "vulnerability"}},
                        {"severity", severity_name(f.severity)}};
  if (auto score = security_severity(f.severity); !score.empty())
    props["security-severity"] = score;
  return {f.id, f.id, f.description.empty() ? f.id : f.description, {}, std::move(props)};
}

core::sarif::Result result_of(const Finding& f, size_t rule_index,
                              const core::sarif::Suppression* suppression, const ScanReport& r) {
  std::string fix = f.fixed_version.empty() ? "no fixed version" : "fixed in " + f.fixed_version;
  core::sarif::Result result;
  result.rule_id = f.id;
  result.rule_index = rule_index;
  result.level = level_of(f.severity);
  // A language package has no binaries: its ecosystem is named instead.
  std::string what = f.ecosystem == "Debian" ? fmt::format("{}", fmt::join(f.binaries, ", "))
                                             : f.ecosystem + " package";
  result.message =
      fmt::format("{} {} ({}) in {}: {}, {}, severity {}", f.source_package, f.installed_version,
                  what, r.name, fix, state_name(f.state), severity_name(f.severity));
  result.locations.emplace();
  for (const auto& file : f.database_files) result.locations->push_back({file, {}});
  result.properties = {{"sourcePackage", f.source_package},
                       {"installedVersion", f.installed_version},
                       {"fixedVersion", f.fixed_version},
                       {"status", state_name(f.state)},
                       {"severity", severity_name(f.severity)},
                       {"binaries", f.binaries},
                       {"ecosystem", f.ecosystem}};
  if (suppression) result.suppressions.push_back(*suppression);
  return result;
}

}  // namespace

ordered_json report_sarif(const ScanReport& r, std::string_view tool_version) {
  core::sarif::Run run;
  run.tool_name = "distill";
  run.tool_version = tool_version;
  std::map<std::string, size_t> rule_index;
  auto add = [&](const Finding& f, const core::sarif::Suppression* suppression) {
    auto [it, added] = rule_index.emplace(f.id, run.rules.size());
    if (added) run.rules.push_back(rule_of(f));
    run.results.push_back(result_of(f, it->second, suppression, r));
  };
  for (const auto& f : r.findings) add(f, nullptr);
  for (const auto& i : r.ignored) {
    core::sarif::Suppression s{"external", i.reason, ""};
    add(i.finding, &s);
  }
  // A VEX statement is the supplier's accepted word that the finding does
  // not apply (SARIF 3.35: status "accepted").
  for (const auto& v : r.suppressed) {
    core::sarif::Suppression s{"external", vex_reason(v), "accepted"};
    add(v.finding, &s);
  }
  run.properties = {
      {"image", r.name}, {"digest", r.digest}, {"platform", r.platform}, {"release", r.release}};
  return core::sarif::log_json({std::move(run)});
}

}  // namespace distill::vuln
