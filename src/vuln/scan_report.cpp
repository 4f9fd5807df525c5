#include "vuln/scan_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "oci/image_config.hpp"

namespace distill::vuln {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json finding_json(const Finding& f) {
  return {{"id", f.id},
          {"ecosystem", f.ecosystem},
          {"source_package", f.source_package},
          {"installed_version", f.installed_version},
          {"binaries", f.binaries},
          {"locations", f.database_files},
          {"fixed_version",
           f.fixed_version.empty() ? ordered_json(nullptr) : ordered_json(f.fixed_version)},
          {"status", state_name(f.state)},
          {"severity", severity_name(f.severity)},
          {"urgency", f.urgency},
          {"description", f.description},
          {"origin", f.origin}};
}

// A language package is shown with its ecosystem ("PyPI:requests") and,
// having no binaries, its locations in the image.
std::string table_package(const Finding& f) {
  return f.ecosystem == "Debian" ? f.source_package : f.ecosystem + ":" + f.source_package;
}

std::string table_binaries(const Finding& f) {
  if (f.ecosystem == "Debian") return core::join(f.binaries, ", ");
  std::vector<std::string> rooted;
  for (const auto& l : f.database_files) rooted.push_back("/" + l);
  return core::escape_control(core::join(rooted, ", "));
}

constexpr std::array<Severity, 6> kMostSevereFirst = {Severity::kCritical,   Severity::kHigh,
                                                      Severity::kMedium,     Severity::kLow,
                                                      Severity::kNegligible, Severity::kUnknown};

size_t count_severity(const std::vector<Finding>& findings, Severity s) {
  return static_cast<size_t>(std::count_if(findings.begin(), findings.end(),
                                           [s](const Finding& f) { return f.severity == s; }));
}

}  // namespace

size_t ScanReport::failing() const {
  if (!fail_on) return 0;
  return static_cast<size_t>(std::count_if(
      findings.begin(), findings.end(), [&](const Finding& f) { return f.severity >= *fail_on; }));
}

void filter_findings(ScanReport& report, bool ignore_unfixed,
                     const std::map<std::string, std::string>& ignore) {
  std::vector<Finding> kept;
  for (auto& f : report.findings) {
    if (ignore_unfixed && f.fixed_version.empty()) continue;
    if (auto it = ignore.find(f.id); it != ignore.end()) {
      report.ignored.push_back({std::move(f), it->second});
      continue;
    }
    kept.push_back(std::move(f));
  }
  report.findings = std::move(kept);
}

ordered_json report_json(const ScanReport& r) {
  ordered_json severities = ordered_json::object();
  for (Severity s : kMostSevereFirst)
    severities[std::string(severity_name(s))] = count_severity(r.findings, s);
  ordered_json findings = ordered_json::array();
  for (const auto& f : r.findings) findings.push_back(finding_json(f));
  ordered_json ignored = ordered_json::array();
  for (const auto& i : r.ignored) {
    ordered_json j = finding_json(i.finding);
    j["reason"] = i.reason;
    ignored.push_back(std::move(j));
  }
  ordered_json suppressed = ordered_json::array();
  for (const auto& s : r.suppressed) {
    ordered_json j = finding_json(s.finding);
    j["vex"] = {{"status", vex_status_name(s.status)},
                {"justification", s.justification},
                {"impact_statement", s.impact_statement},
                {"product", s.product},
                {"document", s.document},
                {"statement", s.statement}};
    suppressed.push_back(std::move(j));
  }
  return {{"image",
           {{"reference", r.reference},
            {"name", r.name},
            {"digest", r.digest},
            {"platform", r.platform},
            {"release", r.release}}},
          {"database",
           {{"path", r.database_path},
            {"sources", r.database.sources},
            {"data_date", core::format_rfc3339(r.database.data_date)},
            {"age_days", r.age_days},
            {"stale", r.stale()}}},
          {"findings", std::move(findings)},
          {"ignored", std::move(ignored)},
          {"suppressed", std::move(suppressed)},
          {"summary", {{"total", r.findings.size()}, {"by_severity", std::move(severities)}}},
          {"fail_on", r.fail_on ? ordered_json(severity_name(*r.fail_on)) : ordered_json(nullptr)},
          {"failing", r.failing()}};
}

std::string report_table(const ScanReport& r) {
  std::string out =
      fmt::format("{} ({}, {}, Debian {})\n", r.name, r.digest, r.platform, r.release);
  if (r.findings.empty()) {
    out += "No vulnerabilities found.\n";
  } else {
    std::array<std::string, 7> header = {"ID",    "SEVERITY", "PACKAGE", "INSTALLED",
                                         "FIXED", "STATUS",   "BINARIES"};
    std::vector<std::array<std::string, 7>> rows = {header};
    for (const auto& f : r.findings)
      rows.push_back({f.id, std::string(severity_name(f.severity)), table_package(f),
                      f.installed_version, f.fixed_version.empty() ? "-" : f.fixed_version,
                      std::string(state_name(f.state)), table_binaries(f)});
    std::array<size_t, 7> width{};
    for (const auto& row : rows)
      for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    for (const auto& row : rows) {
      std::string line;
      for (size_t c = 0; c + 1 < row.size(); ++c) line += fmt::format("{:<{}}  ", row[c], width[c]);
      out += line + row.back() + "\n";
    }
  }
  std::string summary;
  for (Severity s : kMostSevereFirst) {
    size_t n = count_severity(r.findings, s);
    if (n) summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", n, severity_name(s));
  }
  out += fmt::format("\nTotal: {}{}\n", r.findings.size(),
                     summary.empty() ? "" : " (" + summary + ")");
  for (const auto& i : r.ignored)
    out +=
        fmt::format("Ignored: {} in {} ({})\n", i.finding.id, i.finding.source_package, i.reason);
  for (const auto& s : r.suppressed)
    out += fmt::format("Suppressed: {} in {} ({})\n", s.finding.id, table_package(s.finding),
                       core::escape_control(vex_reason(s)));
  return out;
}

}  // namespace distill::vuln
