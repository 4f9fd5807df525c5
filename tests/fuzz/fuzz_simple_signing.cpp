// libFuzzer target: the simple-signing payload of an image signature. What
// parses must write back (distill's own form: optional fields kept) to a
// payload that parses to the same reference, digest, creator and timestamp.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "trust/simple_signing.hpp"

using namespace distill;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = trust::parse_simple_signing(text, "payload");
  if (!p.ok()) return 0;
  auto written = trust::simple_signing_json(*p);
  if (!written.ok()) return 0;  // e.g. an empty reference, refused on write
  auto again = trust::parse_simple_signing(*written, "payload");
  check(again.ok() && again->docker_reference == p->docker_reference &&
        again->manifest_digest == p->manifest_digest && again->creator == p->creator &&
        again->timestamp == p->timestamp);
  return 0;
}
