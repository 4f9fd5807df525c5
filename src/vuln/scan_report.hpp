#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vuln/database.hpp"
#include "vuln/matcher.hpp"
#include "vuln/severity.hpp"
#include "vuln/vex.hpp"

namespace distill::vuln {

struct IgnoredFinding {
  Finding finding;
  std::string reason;
};

// Everything `distill scan` reports, whatever the output format.
struct ScanReport {
  std::string reference;  // as given
  std::string name;
  std::string digest;
  std::string platform;
  std::string release;  // codename matched against
  std::string database_path;
  DatabaseInfo database;
  int64_t age_days = 0;
  std::vector<Finding> findings;  // reported
  std::vector<IgnoredFinding> ignored;
  std::vector<SuppressedFinding> suppressed;  // by --vex statements, never failing
  std::optional<Severity> fail_on;

  bool stale() const { return age_days > kStaleAfterDays; }
  // Reported findings at or above fail_on (0 without --fail-on).
  size_t failing() const;
};

// Applies --ignore-unfixed (drops findings without a fixed version) and
// --ignore (moves listed ids to `ignored`, with their reason).
void filter_findings(ScanReport& report, bool ignore_unfixed,
                     const std::map<std::string, std::string>& ignore);

// The --format json document (docs/vulnerability-scanning.md).
nlohmann::ordered_json report_json(const ScanReport& report);

// The table printed by default.
std::string report_table(const ScanReport& report);

}  // namespace distill::vuln
