#include "vuln/severity.hpp"

#include <array>
#include <cctype>
#include <string>

#include "core/strings.hpp"

namespace distill::vuln {
namespace {

constexpr std::array<std::string_view, 6> kNames = {"unknown", "negligible", "low",
                                                    "medium",  "high",       "critical"};

}  // namespace

Severity severity_from_urgency(std::string_view urgency) {
  while (!urgency.empty() && (urgency.back() == '*' || urgency.back() == ' '))
    urgency.remove_suffix(1);
  if (urgency == "unimportant") return Severity::kNegligible;
  if (urgency == "low") return Severity::kLow;
  if (urgency == "medium") return Severity::kMedium;
  if (urgency == "high") return Severity::kHigh;
  // Only language advisories (OSV's database_specific.severity) say it.
  if (urgency == "critical") return Severity::kCritical;
  return Severity::kUnknown;
}

std::string_view severity_name(Severity s) {
  return kNames[static_cast<size_t>(s)];
}

std::optional<Severity> parse_severity(std::string_view name) {
  std::string lower = core::ascii_lower(name);
  for (size_t i = 0; i < kNames.size(); ++i)
    if (lower == kNames[i]) return static_cast<Severity>(i);
  return std::nullopt;
}

}  // namespace distill::vuln
