// libFuzzer target: the Python tag parsers of the extension check (wheel
// WHEEL files and extension file names come from the user's files). Any
// input must parse or be skipped; what parses must be self-consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "verify/python_abi.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace distill::verify;
  PythonTarget target{11, "x86_64-linux-gnu", 36, "Debian 12"};
  auto tags = parse_wheel_tags(in);
  for (const auto& t : tags) {
    if (t.python.empty() || t.abi.empty() || t.platform.empty()) std::abort();
    if (t.text().size() > size) std::abort();
    (void)parse_manylinux(t.platform);
  }
  (void)wheel_problem(tags, target);
  if (auto name = parse_extension_name(in)) {
    if (name->module.size() + name->tag.size() > size) std::abort();
    (void)extension_problem(*name, target);
  }
  (void)python_target({std::string(in)}, "x86_64-linux-gnu", "Debian 12");
  return 0;
}
