#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/text.hpp"

// String helpers shared by every module. ASCII only and locale-independent:
// the names distill compares (field names, schemes, license ids) are ASCII,
// and tolower() would change meaning with the user's locale.
namespace distill::core {

constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr char ascii_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// "Foo-Bar" -> "foo-bar"; bytes outside A-Z are kept.
std::string ascii_lower(std::string_view s);
// "Foo-Bar" -> "FOO-BAR"; bytes outside a-z are kept.
std::string ascii_upper(std::string_view s);

// Equal ignoring ASCII case. Inline: the index parsers call it per field.
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// The words of `s`, split at runs of is_space() characters.
std::vector<std::string> split_words(std::string_view s);

// The fields of `s` between each `sep`, empty ones kept: "a::b" -> {"a", "", "b"}
// (the colon-separated lines of /etc/passwd, say). Views into `s`.
std::vector<std::string_view> split(std::string_view s, char sep);

// Text from an image or a package made safe to show on a terminal: control
// bytes (NUL, newline, ESC, DEL, ...) become "\xNN", and with
// `escape_non_ascii` every byte >= 0x80 too (for text that is not UTF-8).
std::string escape_control(std::string_view s, bool escape_non_ascii = false);

// Compares two runs of ASCII digits as the numbers they spell, however long
// ("007" == "7", "10" > "9"): version parsers need no integer overflow checks.
int compare_decimal(std::string_view a, std::string_view b);

// The items separated by `sep`: {"a", "b"}, ", " -> "a, b".
template <typename Range>
std::string join(const Range& items, std::string_view sep) {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += sep;
    out += item;
    first = false;
  }
  return out;
}

}  // namespace distill::core
