#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::core {

// A Go duration ("30s", "1m30s", "500ms", "1.5h"), as docker's HEALTHCHECK
// flags take them: a sequence of decimal numbers, each with a unit (ns, us,
// µs, ms, s, m, h). No sign: a negative time has no use here. Returns
// nanoseconds; refuses more than about 292 years (int64 overflow).
Result<int64_t> parse_duration(std::string_view text);

// Nanoseconds as the shortest Go duration text: "30s", "1m30s", "500ms", "0s".
std::string format_duration(int64_t ns);

}  // namespace distill::core
