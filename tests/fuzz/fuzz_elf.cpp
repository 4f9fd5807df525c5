// libFuzzer target: the ELF reader behind the dependency check. Any input
// must parse or return an error value; never read out of bounds, never
// loop without bound. What parses must be self-consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "verify/elf_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = distill::verify::parse_elf(in);
  if (!r.ok()) {
    if (r.error().what.empty()) std::abort();
    return 0;
  }
  if (!distill::verify::has_elf_magic(in)) std::abort();
  // Every string came out of the input, so none can be longer than it.
  for (const auto& n : r->needed)
    if (n.size() >= size) std::abort();
  for (const auto& need : r->version_needs)
    for (const auto& v : need.versions)
      if (v.size() >= size) std::abort();
  return 0;
}
