// libFuzzer target: parse_finding_ignore (`lint --ignore` and the spec's
// `elf_check.ignore`) on arbitrary text. An accepted entry names a known
// check or a clean absolute path, and matches a finding on its own path.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "verify/finding_ignore.hpp"
#include "verify/lint_rules.hpp"

using namespace distill::verify;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  auto r = parse_finding_ignore(input);
  if (!r.ok()) return 0;
  check(!r->id.empty() || !r->path.empty());
  check(r->id.empty() || find_lint_rule(r->id) != nullptr);
  check(r->path.empty() || (r->path.front() == '/' && r->path.size() > 1));
  check(r->path.find("/../") == std::string::npos && r->path.find("//") == std::string::npos);
  std::string id = r->id.empty() ? "DISTILL-0006" : r->id;
  if (!r->path.empty()) check(r->matches(id, r->path + (r->path.back() == '/' ? "x" : "")));
  return 0;
}
