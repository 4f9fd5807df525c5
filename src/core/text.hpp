#pragma once

#include <string_view>

// Character classes and trimming for the text formats distill parses
// (deb822, Release files, dpkg versions, os-release, ignore lists). Spelled out
// rather than <cctype>, whose answers depend on the user's locale.
namespace distill::core {

// ' ' and '\t': the field separators of deb822 and dpkg.
constexpr bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// Blanks, line ends, '\v' and '\f': isspace() in the C locale.
constexpr bool is_space(char c) {
  return is_blank(c) || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

constexpr std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

constexpr std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace distill::core
