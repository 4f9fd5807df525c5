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
};

}  // namespace distill::vuln
