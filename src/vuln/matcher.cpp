#include "vuln/matcher.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "debian/version.hpp"
#include "vuln/osv_range.hpp"
#include "vuln/tracker_import.hpp"

namespace distill::vuln {
namespace {

// The binaries built from one source version.
struct SourceGroup {
  std::set<std::string> binaries;
  std::set<std::string> database_files;
};

bool more_urgent(const Finding& a, const Finding& b) {
  return std::tie(b.severity, a.id, a.ecosystem, a.source_package, a.installed_version) <
         std::tie(a.severity, b.id, b.ecosystem, b.source_package, b.installed_version);
}

}  // namespace

std::string_view state_name(FindingState s) {
  switch (s) {
    case FindingState::kFixed:
      return "fixed";
    case FindingState::kOpen:
      return "affected";
    case FindingState::kWillNotFix:
      return "will-not-fix";
    case FindingState::kFixDeferred:
      return "fix-deferred";
    case FindingState::kUndetermined:
      return "undetermined";
  }
  return "affected";
}

std::optional<FindingState> evaluate(const Advisory& a, std::string_view installed_version) {
  if (a.status == "resolved") {
    if (a.fixed_version == "0") return std::nullopt;
    if (debian::compare_versions(installed_version, a.fixed_version) >= 0) return std::nullopt;
    return FindingState::kFixed;
  }
  if (a.status == "undetermined") return FindingState::kUndetermined;
  if (a.nodsa_reason == "ignored") return FindingState::kWillNotFix;
  if (a.nodsa_reason == "postponed") return FindingState::kFixDeferred;
  return FindingState::kOpen;
}

core::Result<std::vector<Finding>> match_packages(const std::vector<image::DpkgPackage>& packages,
                                                  std::string_view release,
                                                  const AdvisoryLookup& lookup) {
  std::map<std::pair<std::string, std::string>, SourceGroup> groups;
  for (const auto& p : packages) {
    SourceGroup& g = groups[{p.source, p.source_version}];
    g.binaries.insert(p.name);
    g.database_files.insert(p.database_file);
  }
  std::vector<Finding> out;
  for (const auto& [key, group] : groups) {
    const auto& [source, version] = key;
    DISTILL_ASSIGN(std::vector<Advisory> advisories, lookup.find(release, source));
    // The tracker's rows first, so they win over another feed's same issue.
    std::stable_sort(advisories.begin(), advisories.end(),
                     [](const Advisory& a, const Advisory& b) {
                       return (a.origin != kTrackerOrigin) < (b.origin != kTrackerOrigin);
                     });
    std::set<std::string> seen;
    for (const Advisory& a : advisories) {
      if (!seen.insert(a.id).second) continue;
      std::optional<FindingState> state = evaluate(a, version);
      if (!state) continue;
      Finding f;
      f.id = a.id;
      f.source_package = source;
      f.installed_version = version;
      f.binaries.assign(group.binaries.begin(), group.binaries.end());
      f.database_files.assign(group.database_files.begin(), group.database_files.end());
      if (*state == FindingState::kFixed) f.fixed_version = a.fixed_version;
      f.state = *state;
      f.severity = severity_from_urgency(a.urgency);
      f.urgency = a.urgency;
      f.description = a.description;
      f.origin = a.origin;
      out.push_back(std::move(f));
    }
  }
  sort_findings(out);
  return out;
}

core::Result<std::vector<Finding>> match_lang_packages(
    const std::vector<sbom::LangPackage>& packages, const AdvisoryLookup& lookup) {
  std::vector<Finding> out;
  for (const auto& p : packages) {
    DISTILL_ASSIGN(std::vector<Advisory> advisories,
                   lookup.find_language(p.ecosystem, ecosystem_package_key(p.ecosystem, p.name)));
    std::set<std::string> seen;
    for (const Advisory& a : advisories) {
      if (seen.contains(a.id)) continue;
      auto affected = osv_affected_from_json(a.affected);
      if (!affected.ok() || !osv_affects(*affected, p.ecosystem, p.version)) continue;
      seen.insert(a.id);
      Finding f;
      f.id = a.id;
      f.ecosystem = p.ecosystem;
      f.source_package = p.name;
      f.installed_version = p.version;
      f.database_files = p.locations;
      f.fixed_version = osv_fixed_after(*affected, p.ecosystem, p.version);
      f.state = f.fixed_version.empty() ? FindingState::kOpen : FindingState::kFixed;
      f.severity = severity_from_urgency(a.urgency);
      f.urgency = a.urgency;
      f.description = a.description;
      f.origin = a.origin;
      out.push_back(std::move(f));
    }
  }
  sort_findings(out);
  return out;
}

void sort_findings(std::vector<Finding>& findings) {
  std::sort(findings.begin(), findings.end(), more_urgent);
}

}  // namespace distill::vuln
