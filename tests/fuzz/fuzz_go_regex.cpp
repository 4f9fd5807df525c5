// libFuzzer target: Go-syntax regexes (core::GoRegex). The input is a pattern,
// '\n', then a text: compiling never crashes, and a compiled pattern searches
// the text (and its own source) in bounded time without recursion.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/go_regex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view pattern = in.substr(0, nl);
  std::string_view text = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  auto re = distill::core::GoRegex::compile(pattern);
  if (!re.ok()) return 0;
  (void)re->search(text);
  (void)re->search(pattern);
  return 0;
}
