#include "core/time.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "core/text.hpp"

namespace distill::core {
namespace {

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kWeekdays{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};

// A cursor over a date string; every step either consumes or fails.
struct DateScanner {
  std::string_view s;
  void skip_spaces() {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  }
  bool number(int& out, size_t min_digits, size_t max_digits) {
    size_t n = 0;
    while (n < s.size() && n < max_digits && s[n] >= '0' && s[n] <= '9') ++n;
    if (n < min_digits) return false;
    std::from_chars(s.data(), s.data() + n, out);
    s.remove_prefix(n);
    return true;
  }
  bool literal(char c) {
    if (s.empty() || s.front() != c) return false;
    s.remove_prefix(1);
    return true;
  }
  std::string_view word() {
    size_t n = 0;
    while (n < s.size() && ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z'))) ++n;
    auto w = s.substr(0, n);
    s.remove_prefix(n);
    return w;
  }
};

// Zone after the time: UTC, GMT, Z, or +hhmm/-hhmm; returns the offset in
// seconds east of UTC.
std::optional<int> parse_zone(DateScanner& sc) {
  sc.skip_spaces();
  if (sc.s.empty()) return std::nullopt;
  char sign = sc.s.front();
  if (sign == '+' || sign == '-') {
    sc.s.remove_prefix(1);
    int hhmm = 0;
    std::string_view before = sc.s;
    if (!sc.number(hhmm, 4, 4) || before.size() - sc.s.size() != 4) return std::nullopt;
    int hours = hhmm / 100, minutes = hhmm % 100;
    if (hours > 23 || minutes > 59) return std::nullopt;
    int off = hours * 3600 + minutes * 60;
    return sign == '-' ? -off : off;
  }
  auto zone = sc.word();
  if (zone == "UTC" || zone == "GMT" || zone == "Z" || zone == "UT") return 0;
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> parse_rfc2822_date(std::string_view text) {
  DateScanner sc{text};
  sc.skip_spaces();
  // Optional weekday: "Sat,". Its consistency with the date is not checked,
  // as apt does not either.
  if (!sc.s.empty() && !(sc.s.front() >= '0' && sc.s.front() <= '9')) {
    auto wd = sc.word();
    if (std::find(kWeekdays.begin(), kWeekdays.end(), wd) == kWeekdays.end()) return std::nullopt;
    if (!sc.literal(',')) return std::nullopt;
    sc.skip_spaces();
  }
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (!sc.number(day, 1, 2)) return std::nullopt;
  sc.skip_spaces();
  auto mon = sc.word();
  auto it = std::find(kMonths.begin(), kMonths.end(), mon);
  if (it == kMonths.end()) return std::nullopt;
  sc.skip_spaces();
  if (!sc.number(year, 4, 4)) return std::nullopt;
  sc.skip_spaces();
  if (!sc.number(hour, 2, 2) || !sc.literal(':') || !sc.number(minute, 2, 2)) return std::nullopt;
  if (sc.literal(':') && !sc.number(second, 2, 2)) return std::nullopt;
  auto zone = parse_zone(sc);
  sc.skip_spaces();
  if (!zone || !sc.s.empty()) return std::nullopt;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;

  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = static_cast<int>(it - kMonths.begin());
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t t = ::timegm(&tm);
  if (tm.tm_mday != day) return std::nullopt;  // "31 Feb" normalised into March
  return static_cast<int64_t>(t) - *zone;
}

std::string format_rfc2822_date(int64_t epoch) {
  time_t t = static_cast<time_t>(epoch);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} UTC", kWeekdays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string format_rfc3339(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

Result<int64_t> parse_rfc3339(std::string_view text) {
  auto bad = [&] {
    return make_error("timestamp '" + std::string(text) + "'", "is not an RFC 3339 time",
                      "expected e.g. 1970-01-01T00:00:00Z");
  };
  auto digits = [&](size_t pos, size_t n, int& out) {
    if (pos + n > text.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  std::tm tm{};
  int year, mon, day, hour, min, sec;
  if (!digits(0, 4, year) || !digits(5, 2, mon) || !digits(8, 2, day) || !digits(11, 2, hour) ||
      !digits(14, 2, min) || !digits(17, 2, sec) || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' || text[16] != ':')
    return bad();
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return bad();
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return bad();
  }
  int64_t offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(pos + 4, 2, om))
      return bad();
    offset = (text[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  return static_cast<int64_t>(::timegm(&tm)) - offset;
}

Result<std::optional<int64_t>> source_date_epoch() {
  const char* s = std::getenv("SOURCE_DATE_EPOCH");
  if (!s || !*s) return std::optional<int64_t>();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s, s + std::strlen(s), v);
  if (ec != std::errc() || *end != '\0' || v < 0)
    return make_error("SOURCE_DATE_EPOCH", fmt::format("not a number of seconds: '{}'", s));
  return std::optional<int64_t>(v);
}

}  // namespace distill::core
