// libFuzzer target: the ld.so.cache reader. Any input must parse or return an
// error value; never read out of bounds. What parses must survive a rewrite:
// writing the entries and reading them back gives the same cache again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "effects/ld_cache.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = distill::effects::parse_ld_cache(in);
  if (!r.ok()) {
    if (r.error().what.empty()) std::abort();
    return 0;
  }
  for (const auto& e : *r)
    if (e.key.size() >= size || e.path.size() >= size) std::abort();
  std::string once = distill::effects::write_ld_cache(*r, "amd64");
  auto again = distill::effects::parse_ld_cache(once);
  if (!again.ok() || again->size() != r->size()) std::abort();
  if (distill::effects::write_ld_cache(*again, "amd64") != once) std::abort();
  return 0;
}
