#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "vuln/advisory.hpp"

namespace distill::vuln {

inline constexpr std::string_view kOsvOrigin = "osv";

// Parses one OSV record (the OSV schema) and keeps what concerns
// Debian releases: every `affected` entry whose ecosystem is "Debian:<N>"
// gives an Advisory for the release N maps to, the package name being the
// source package (as OSV's Debian data is). An ECOSYSTEM range with a
// "fixed" event is resolved with that fixed_version; without one it is open.
// The urgency comes from ecosystem_specific or database_specific. Records
// without a Debian or language entry give none.
// Entries of the language ecosystems "PyPI", "npm", "Go" and "Maven" give an
// Advisory each with the ecosystem, the package's lookup key and the
// ECOSYSTEM and SEMVER ranges and `versions` (osv_range.hpp); their urgency
// is database_specific.severity, "MODERATE" read as medium. The id "DEBIAN-CVE-..." is reported as
// the CVE it names.
core::Result<std::vector<Advisory>> parse_osv_json(std::string_view text, std::string_view where);
// The same on an already parsed document (a record or a list of records).
core::Result<std::vector<Advisory>> osv_advisories(const nlohmann::json& root,
                                                   std::string_view where);

}  // namespace distill::vuln
