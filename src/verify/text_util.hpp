#pragma once

#include <string>
#include <string_view>

namespace distill::verify {

// "usr/bin/env" -> "env".
inline std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// "usr/bin/env" -> "usr/bin"; "env" -> "".
inline std::string_view dir_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// Escapes &, <, >, " and ' for XML and HTML text and attribute values.
std::string escape_markup(std::string_view s);

}  // namespace distill::verify
