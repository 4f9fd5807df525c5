#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::vuln {

// One issue as it applies to one source package in one Debian release: a
// row of the database, whichever feed it came from. Fields keep the
// Security Tracker's vocabulary so its semantics apply unchanged.
struct Advisory {
  std::string id;              // CVE-2023-1234, TEMP-..., DSA-...
  std::string source_package;  // the SOURCE package name, never a binary's
  std::string release;         // codename: bookworm, trixie, ...
  std::string status;          // "resolved", "open" or "undetermined"
  std::string fixed_version;   // for resolved: "0" = never affected
  std::string urgency;         // verbatim, e.g. "low**", "not yet assigned"
  std::string nodsa_reason;    // "", "ignored", "postponed"
  std::string description;
  std::string origin;  // "debian-security-tracker" or "osv"
  // Language packages (OSV "PyPI", "npm", "Go", "Maven"): the ecosystem, the
  // release left empty, source_package the ecosystem's lookup key
  // (ecosystem_package_key) and `affected` the OSV ranges and versions as
  // osv_affected_json keeps them. Empty for Debian rows.
  std::string ecosystem;
  std::string affected;

  friend bool operator==(const Advisory&, const Advisory&) = default;
};

// Where the matcher gets advisories: the SQLite database in production, a
// vector in tests.
class AdvisoryLookup {
 public:
  virtual ~AdvisoryLookup() = default;
  // Every advisory for `source_package` in `release` (codename).
  virtual core::Result<std::vector<Advisory>> find(std::string_view release,
                                                   std::string_view source_package) const = 0;
  // Every advisory for a language package: `ecosystem` as OSV spells it,
  // `package` its ecosystem_package_key. None unless the lookup has some.
  virtual core::Result<std::vector<Advisory>> find_language(std::string_view ecosystem,
                                                            std::string_view package) const {
    (void)ecosystem;
    (void)package;
    return std::vector<Advisory>{};
  }
};

}  // namespace distill::vuln
