#include "vuln/sarif.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <string>

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

ordered_json rule_json(const Finding& f) {
  ordered_json props = {{"tags", {"security", "vulnerability"}},
                        {"severity", severity_name(f.severity)}};
  if (auto score = security_severity(f.severity); !score.empty())
    props["security-severity"] = score;
  return {{"id", f.id},
          {"shortDescription", {{"text", f.id}}},
          {"fullDescription", {{"text", f.description.empty() ? f.id : f.description}}},
          {"properties", std::move(props)}};
}

ordered_json result_json(const Finding& f, size_t rule_index, const std::string& reason,
                         const ScanReport& r) {
  std::string fix = f.fixed_version.empty() ? "no fixed version" : "fixed in " + f.fixed_version;
  ordered_json locations = ordered_json::array();
  for (const auto& file : f.database_files)
    locations.push_back({{"physicalLocation", {{"artifactLocation", {{"uri", file}}}}}});
  ordered_json result = {
      {"ruleId", f.id},
      {"ruleIndex", rule_index},
      {"level", level_of(f.severity)},
      {"message",
       {{"text", fmt::format("{} {} ({}) in {}: {}, {}, severity {}", f.source_package,
                             f.installed_version, fmt::join(f.binaries, ", "), r.name, fix,
                             state_name(f.state), severity_name(f.severity))}}},
      {"locations", std::move(locations)},
      {"properties",
       {{"sourcePackage", f.source_package},
        {"installedVersion", f.installed_version},
        {"fixedVersion", f.fixed_version},
        {"status", state_name(f.state)},
        {"severity", severity_name(f.severity)},
        {"binaries", f.binaries}}}};
  if (!reason.empty())
    result["suppressions"] =
        ordered_json::array({{{"kind", "external"}, {"justification", reason}}});
  return result;
}

}  // namespace

ordered_json report_sarif(const ScanReport& r, std::string_view tool_version) {
  ordered_json rules = ordered_json::array();
  ordered_json results = ordered_json::array();
  std::map<std::string, size_t> rule_index;
  auto add = [&](const Finding& f, const std::string& reason) {
    auto [it, added] = rule_index.emplace(f.id, rules.size());
    if (added) rules.push_back(rule_json(f));
    results.push_back(result_json(f, it->second, reason, r));
  };
  for (const auto& f : r.findings) add(f, "");
  for (const auto& i : r.ignored) add(i.finding, i.reason);
  ordered_json run = {{"tool",
                       {{"driver",
                         {{"name", "distill"},
                          {"version", tool_version},
                          {"semanticVersion", tool_version},
                          {"rules", std::move(rules)}}}}},
                      {"results", std::move(results)},
                      {"properties",
                       {{"image", r.name},
                        {"digest", r.digest},
                        {"platform", r.platform},
                        {"release", r.release}}}};
  return {{"version", "2.1.0"}, {"runs", ordered_json::array({std::move(run)})}};
}

}  // namespace distill::vuln
