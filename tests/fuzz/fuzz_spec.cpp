// libFuzzer target: the distill.yaml reader (YAML, duplicate keys, every
// key's checks) on arbitrary bytes. A spec is often someone else's: any input
// must give a spec or one error naming the file, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "builder/spec.hpp"

using namespace distill;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string yaml(reinterpret_cast<const char*>(data), size);
  // A folder that does not exist: `files` and `ca_certificates` entries are
  // then refused without touching the host's files.
  auto spec = builder::parse_spec(yaml, "fuzz.yaml", "/nonexistent-distill-fuzz");
  if (!spec.ok() && spec.error().where.rfind("fuzz.yaml", 0) != 0 &&
      spec.error().where.rfind("user", 0) != 0)
    std::abort();
  return 0;
}
