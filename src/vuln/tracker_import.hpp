#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "vuln/advisory.hpp"

namespace distill::vuln {

inline constexpr std::string_view kTrackerOrigin = "debian-security-tracker";

// Parses the Debian Security Tracker's JSON export:
//   {source: {issue: {description, scope, debianbug,
//                     releases: {codename: {status, repositories, fixed_version,
//                                           urgency, nodsa, nodsa_reason}}}}}
// into one Advisory per (issue, source, release). A `releases` that is an
// empty list instead of an object (the export has some) gives none. A value
// of the wrong type is an error naming `where` and the package and issue.
core::Result<std::vector<Advisory>> parse_tracker_json(std::string_view text,
                                                       std::string_view where);
// The same on an already parsed document.
core::Result<std::vector<Advisory>> tracker_advisories(const nlohmann::json& root,
                                                       std::string_view where);

}  // namespace distill::vuln
