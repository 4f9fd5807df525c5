#pragma once

#include <optional>
#include <string_view>

namespace distill::vuln {

// Ordered from least to most severe so thresholds compare with <.
enum class Severity { kUnknown, kNegligible, kLow, kMedium, kHigh, kCritical };

// The Security Tracker's urgency: "unimportant" -> negligible; low, medium,
// high as such; the "*" and "**" suffixes (how sure the team is) dropped;
// "end-of-life", "not yet assigned", "" and anything else -> unknown.
Severity severity_from_urgency(std::string_view urgency);

// "unknown", "negligible", "low", "medium", "high", "critical".
std::string_view severity_name(Severity s);

// The inverse of severity_name (case-insensitive), for --fail-on.
std::optional<Severity> parse_severity(std::string_view name);

}  // namespace distill::vuln
