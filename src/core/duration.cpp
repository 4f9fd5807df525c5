#include "core/duration.hpp"

#include <array>
#include <limits>

namespace distill::core {
namespace {

struct Unit {
  std::string_view name;
  int64_t ns;
};

// Longest names first where one is a prefix of another ("ms" before "m").
constexpr std::array<Unit, 8> kUnits = {{{"ns", 1},
                                         {"us", 1000},
                                         {"\xC2\xB5s", 1000},
                                         {"ms", 1000000},
                                         {"s", 1000000000},
                                         {"m", 60LL * 1000000000},
                                         {"h", 3600LL * 1000000000},
                                         {"\xCE\xBCs", 1000}}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

Error bad(std::string_view text, std::string what) {
  return make_error("duration '" + std::string(text) + "'", std::move(what),
                    "write e.g. 30s, 1m30s or 500ms");
}

}  // namespace

Result<int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return bad(text, "is empty");
  if (text == "0") return int64_t{0};
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    // The number: digits, optionally a fraction.
    size_t start = i;
    uint64_t whole = 0;
    bool overflow = false;
    while (i < text.size() && is_digit(text[i])) {
      if (whole > (static_cast<uint64_t>(kMax) - 9) / 10) overflow = true;
      if (!overflow) whole = whole * 10 + static_cast<uint64_t>(text[i] - '0');
      ++i;
    }
    std::string_view fraction;
    if (i < text.size() && text[i] == '.') {
      size_t f = ++i;
      while (i < text.size() && is_digit(text[i])) ++i;
      fraction = text.substr(f, i - f);
    }
    if (i == start || (i == start + 1 && text[start] == '.'))
      return bad(text, "needs a number before each unit");
    if (overflow) return bad(text, "is too long");
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name && (!unit || u.name.size() > unit->name.size()))
        unit = &u;
    }
    if (!unit) return bad(text, "has a number without a unit (ns, us, ms, s, m or h)");
    i += unit->name.size();
    if (whole > static_cast<uint64_t>(kMax / unit->ns)) return bad(text, "is too long");
    int64_t value = static_cast<int64_t>(whole) * unit->ns;
    // The fraction, digit by digit, truncated below a nanosecond as Go does.
    int64_t scale = unit->ns;
    for (char d : fraction) {
      scale /= 10;
      if (scale == 0) break;
      value += (d - '0') * scale;
    }
    if (value > kMax - total) return bad(text, "is too long");
    total += value;
  }
  return total;
}

std::string format_duration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t v = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  constexpr uint64_t kSecond = 1000000000;
  if (v < kSecond) {
    if (v % 1000000 == 0) return sign + std::to_string(v / 1000000) + "ms";
    if (v % 1000 == 0) return sign + std::to_string(v / 1000) + "us";
    return sign + std::to_string(v) + "ns";
  }
  std::string out = sign;
  uint64_t hours = v / (3600 * kSecond);
  uint64_t minutes = v / (60 * kSecond) % 60;
  uint64_t seconds = v / kSecond % 60;
  uint64_t rest = v % kSecond;
  if (hours) out += std::to_string(hours) + "h";
  if (hours || minutes) out += std::to_string(minutes) + "m";
  out += std::to_string(seconds);
  if (rest) {
    std::string frac = std::to_string(rest);
    frac = std::string(9 - frac.size(), '0') + frac;
    while (frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out + "s";
}

}  // namespace distill::core
