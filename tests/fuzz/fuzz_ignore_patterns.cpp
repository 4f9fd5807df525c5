// libFuzzer target: .distillignore parsing and matching. The input's first
// line is a path, the rest an ignore file; matching must never crash, a
// pattern that parses must match itself when it holds no special character,
// and excluded() must agree with the last pattern's plain answer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/ignore_patterns.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view path = in.substr(0, nl);
  std::string_view text = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  auto patterns = distill::core::IgnorePatterns::parse(text, ".distillignore");
  if (!patterns.ok()) return 0;
  bool excluded = patterns->excluded(path);
  // Skipping parents can only re-include what a parent's match excluded, or
  // exclude what a parent's negation re-included: never crash either way.
  (void)patterns->excluded(path, 1);
  if (!path.empty()) (void)patterns->may_reinclude_below(path);
  if (patterns->empty()) check(!excluded);
  if (path.find_first_of("*?[\\/") == std::string_view::npos && !path.empty() && path != "." &&
      path != ".." && path.find_first_of(" \t\r\v\f!#") == std::string_view::npos)
    check(distill::core::ignore_pattern_matches(path, path));
  return 0;
}
