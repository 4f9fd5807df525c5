// libFuzzer target: the language version orders (PEP 440, semver, Maven).
// The input holds a selector byte and up to three versions separated by
// '\n'; each order must be reflexive and antisymmetric where it is defined,
// and PEP 440's and semver's transitive. Maven's is not transitive for every
// input, as maven-artifact's own is not: "err" < "-alpha--5" < "" < "err"
// (a word sorts below a sub-list, a sub-list starting with "alpha" below
// nothing, a word other than a known qualifier above it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "vuln/version_maven.hpp"
#include "vuln/version_pep440.hpp"
#include "vuln/version_semver.hpp"

using namespace distill::vuln;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

std::string_view next(std::string_view& rest) {
  size_t nl = rest.find('\n');
  std::string_view part = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return part;
}

std::optional<int> cmp(uint8_t which, std::string_view a, std::string_view b) {
  switch (which % 3) {
    case 0:
      return compare_pep440(a, b);
    case 1:
      return compare_semver(a, b);
    default:
      return compare_maven(a, b);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t which = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string_view a = next(rest), b = next(rest), c = next(rest);
  auto aa = cmp(which, a, a);
  if (aa) check(*aa == 0);
  auto ab = cmp(which, a, b), ba = cmp(which, b, a);
  check(ab.has_value() == ba.has_value());
  if (!ab) return 0;
  check(*ab >= -1 && *ab <= 1 && *ba == -*ab);
  auto bc = cmp(which, b, c), ac = cmp(which, a, c);
  if (bc && ac && which % 3 != 2) {
    if (*ab <= 0 && *bc <= 0) check(*ac <= 0);
    if (*ab >= 0 && *bc >= 0) check(*ac >= 0);
  }
  return 0;
}
