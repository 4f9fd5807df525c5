#include "debian/release.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>

#include "core/sha256.hpp"
#include "core/text.hpp"
#include "debian/deb822.hpp"

namespace distill::debian {
namespace {

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kWeekdays{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && core::is_space(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !core::is_space(s[i])) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// A cursor over a date string; every step either consumes or fails.
struct Scanner {
  std::string_view s;
  void skip_spaces() {
    while (!s.empty() && core::is_blank(s.front())) s.remove_prefix(1);
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
std::optional<int> parse_zone(Scanner& sc) {
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

core::Result<uint64_t> parse_size(std::string_view text, const std::string& where) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty())
    return core::make_error(where, "invalid size '" + std::string(text) + "'");
  return v;
}

core::Result<std::vector<ReleaseFile>> parse_sha256_section(std::string_view value,
                                                            const std::string& where) {
  std::vector<ReleaseFile> files;
  for (std::string_view line : value_lines(value)) {
    auto words = split_words(line);
    if (words.size() != 3)
      return core::make_error(where, "malformed SHA256 line '" + std::string(line) + "'");
    ReleaseFile f;
    f.sha256 = words[0];
    for (char& c : f.sha256)
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!core::is_sha256_hex(f.sha256))
      return core::make_error(where, "malformed SHA256 hash '" + words[0] + "'");
    DISTILL_ASSIGN(f.size, parse_size(words[1], where));
    f.path = words[2];
    files.push_back(std::move(f));
  }
  return files;
}

core::Result<std::optional<int64_t>> parse_date_field(const Paragraph& p, std::string_view name,
                                                      const std::string& where) {
  auto v = p.get(name);
  if (!v) return std::optional<int64_t>();
  auto parsed = parse_release_date(core::trim_space(*v));
  if (!parsed)
    return core::make_error(where, fmt::format("invalid {} '{}'", name, core::trim_space(*v)),
                            "expected e.g. 'Sat, 11 Jul 2026 10:16:37 UTC'");
  return parsed;
}

}  // namespace

std::optional<int64_t> parse_release_date(std::string_view text) {
  Scanner sc{text};
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

std::string format_release_date(int64_t epoch) {
  time_t t = static_cast<time_t>(epoch);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} UTC", kWeekdays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

core::Result<Release> Release::parse(std::string text, std::string_view where_view) {
  std::string where(where_view);
  DISTILL_ASSIGN(auto doc, Deb822Document::parse(std::move(text), where));
  // A signed Release is exactly one stanza; more would mean pasted-together
  // documents, which nothing legitimate produces.
  if (doc.paragraphs().size() != 1)
    return core::make_error(
        where, fmt::format("expected one Release stanza, found {}", doc.paragraphs().size()));
  const Paragraph& p = doc.paragraphs().front();
  Release r;
  r.origin = std::string(core::trim_space(p.get_or("Origin")));
  r.label = std::string(core::trim_space(p.get_or("Label")));
  r.suite = std::string(core::trim_space(p.get_or("Suite")));
  r.codename = std::string(core::trim_space(p.get_or("Codename")));
  DISTILL_ASSIGN(r.date, parse_date_field(p, "Date", where));
  DISTILL_ASSIGN(r.valid_until, parse_date_field(p, "Valid-Until", where));
  r.acquire_by_hash = core::trim_space(p.get_or("Acquire-By-Hash")) == "yes";
  r.architectures = split_words(p.get_or("Architectures"));
  r.components = split_words(p.get_or("Components"));
  auto sha = p.get("SHA256");
  if (!sha) return core::make_error(where, "Release has no SHA256 file list");
  DISTILL_ASSIGN(r.files, parse_sha256_section(*sha, where));
  return r;
}

const ReleaseFile* Release::find(std::string_view path) const {
  for (const auto& f : files)
    if (f.path == path) return &f;
  return nullptr;
}

core::Status check_release_freshness(const Release& release, int64_t now, std::string_view where,
                                     int64_t max_future) {
  if (release.valid_until && *release.valid_until < now)
    return core::make_error(std::string(where),
                            "Release expired on " + format_release_date(*release.valid_until),
                            "the mirror is stale or replays an old Release; try another mirror");
  if (release.date && *release.date > now + max_future)
    return core::make_error(
        std::string(where),
        "Release is dated in the future (" + format_release_date(*release.date) + ")",
        "check the system clock");
  return core::Status::Ok();
}

}  // namespace distill::debian
