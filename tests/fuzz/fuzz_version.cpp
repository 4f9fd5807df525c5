// libFuzzer target: version parsing and ordering. The input holds up to three
// versions separated by '\n'; the ordering must be a total order (reflexive,
// antisymmetric, transitive) and agree between compare() and
// compare_versions().
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "debian/version.hpp"

using namespace distill::debian;

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

void check_one(std::string_view v) {
  check(compare_versions(v, v) == 0);
  auto parsed = distill::debian::Version::parse(v);
  if (!parsed.ok()) return;
  check(compare(*parsed, *parsed) == 0);
  std::string s = parsed->str();
  check(compare_versions(v, s) == 0);
  auto again = distill::debian::Version::parse(s);
  check(again.ok() && compare(*parsed, *again) == 0 && again->str() == s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::string_view a = next(rest), b = next(rest), c = next(rest);
  check_one(a);
  check_one(b);
  int ab = compare_versions(a, b), bc = compare_versions(b, c), ac = compare_versions(a, c);
  check(ab >= -1 && ab <= 1);
  check(compare_versions(b, a) == -ab);
  if (ab <= 0 && bc <= 0) check(ac <= 0);
  if (ab >= 0 && bc >= 0) check(ac >= 0);
  auto pa = distill::debian::Version::parse(a), pb = distill::debian::Version::parse(b);
  if (pa.ok() && pb.ok()) check(compare(*pa, *pb) == ab);
  return 0;
}
