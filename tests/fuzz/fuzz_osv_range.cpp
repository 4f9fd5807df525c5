// libFuzzer target: an OSV affected entry's ranges and versions, and their
// evaluation. The input is the JSON of one entry, then '\n' and a version;
// parsing must fail cleanly or round-trip through the database's JSON, and
// evaluation must not crash in any ecosystem.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "vuln/osv_range.hpp"

using namespace distill::vuln;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t nl = text.rfind('\n');
  std::string_view version = nl == std::string_view::npos ? "1.0.0" : text.substr(nl + 1);
  std::string_view doc = text.substr(0, nl);
  nlohmann::json j = nlohmann::json::parse(doc, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return 0;
  auto affected = parse_osv_affected(j);
  if (!affected.ok()) return 0;
  auto back = osv_affected_from_json(osv_affected_json(*affected));
  if (!back.ok() || !(*back == *affected)) std::abort();
  for (std::string_view eco : {kPyPI, kNpm, kGo, kMaven}) {
    (void)osv_affects(*affected, eco, version);
    (void)osv_fixed_after(*affected, eco, version);
  }
  return 0;
}
