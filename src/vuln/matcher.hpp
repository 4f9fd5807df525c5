#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "image/dpkg_inventory.hpp"
#include "sbom/lang_package.hpp"
#include "vuln/advisory.hpp"
#include "vuln/severity.hpp"

namespace distill::vuln {

// What an advisory means for an installed source version.
enum class FindingState {
  kFixed,         // resolved: a fixed version exists and the installed one is older
  kOpen,          // open: affected, no fix yet
  kWillNotFix,    // open with nodsa_reason "ignored"
  kFixDeferred,   // open with nodsa_reason "postponed"
  kUndetermined,  // the tracker has not decided whether the release is affected
};

// "fixed", "affected", "will-not-fix", "fix-deferred", "undetermined".
std::string_view state_name(FindingState s);

// The Security Tracker's semantics for one advisory and one installed
// source version: resolved with fixed_version "0" never affected; resolved
// with V affects versions below V in dpkg order (epochs, '~'); open and
// undetermined affect every version. nullopt when not affected.
std::optional<FindingState> evaluate(const Advisory& a, std::string_view installed_version);

// One vulnerability of one installed source package.
// A language package's finding has its ecosystem ("PyPI", "npm", "Go",
// "Maven"), the package's name and version, no binaries, and the package's
// locations in the image as database_files.
struct Finding {
  std::string id;
  std::string ecosystem = "Debian";
  std::string source_package;
  std::string installed_version;            // the installed SOURCE version
  std::vector<std::string> binaries;        // the installed binary packages built from it, sorted
  std::vector<std::string> database_files;  // where the image lists them (var/lib/dpkg/...)
  std::string fixed_version;                // "" when there is no fix
  FindingState state = FindingState::kOpen;
  Severity severity = Severity::kUnknown;
  std::string urgency;  // as the data says it
  std::string description;
  std::string origin;
};

// Matches every installed package, grouped by (source, source version),
// against the advisories of `release`. When both feeds describe the same
// issue for a package, the Security Tracker's word wins. Sorted by
// severity (highest first), then id and package.
core::Result<std::vector<Finding>> match_packages(const std::vector<image::DpkgPackage>& packages,
                                                  std::string_view release,
                                                  const AdvisoryLookup& lookup);

// Matches each language package against its ecosystem's OSV advisories
// with the ecosystem's version order (osv_range.hpp). The fixed version shown
// is the lowest "fixed" above the installed one; the state is kFixed when
// there is one, else kOpen. Sorted as match_packages sorts.
core::Result<std::vector<Finding>> match_lang_packages(
    const std::vector<sbom::LangPackage>& packages, const AdvisoryLookup& lookup);

// Severity (highest first), then id, package and version.
void sort_findings(std::vector<Finding>& findings);

}  // namespace distill::vuln
