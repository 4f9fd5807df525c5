#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

// Dates as the formats distill reads and writes spell them, always in UTC and
// independent of the locale and the local time zone.
namespace distill::core {

// RFC 2822 dates as Debian Release files write them ("Sat, 11 Jul 2026
// 10:16:37 UTC", also "+0000"-style offsets and GMT), to epoch seconds.
std::optional<int64_t> parse_rfc2822_date(std::string_view text);
// Epoch seconds -> "Sat, 11 Jul 2026 10:16:37 UTC".
std::string format_rfc2822_date(int64_t epoch);

// RFC 3339 in UTC, seconds precision: "1970-01-01T00:00:00Z".
std::string format_rfc3339(int64_t seconds);
// Accepts fractional seconds and numeric offsets as other tools write them.
Result<int64_t> parse_rfc3339(std::string_view text);

// SOURCE_DATE_EPOCH (reproducible-builds.org): nullopt when unset or empty,
// an error when it is not a non-negative number of seconds.
Result<std::optional<int64_t>> source_date_epoch();

}  // namespace distill::core
