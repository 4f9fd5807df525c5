#include "oci/platform.hpp"

#include <array>
#include <vector>

namespace distill::oci {
namespace {

struct ArchMapping {
  std::string_view debian;
  std::string_view architecture;
  std::string_view variant;
};

// Variants follow the OCI image index spec and what the Go toolchain and
// registries use: arm64 is always labelled v8 so clients asking for
// linux/arm64/v8 match.
constexpr std::array<ArchMapping, 9> kArchs{{
    {"amd64", "amd64", ""},
    {"arm64", "arm64", "v8"},
    {"armhf", "arm", "v7"},
    {"armel", "arm", "v5"},
    {"i386", "386", ""},
    {"ppc64el", "ppc64le", ""},
    {"s390x", "s390x", ""},
    {"riscv64", "riscv64", ""},
    {"mips64el", "mips64le", ""},
}};

}  // namespace

std::string Platform::str() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

core::Result<Platform> platform_for_debian_arch(std::string_view debian_arch) {
  for (const auto& m : kArchs)
    if (m.debian == debian_arch)
      return Platform{"linux", std::string(m.architecture), std::string(m.variant)};
  return core::make_error("architecture '" + std::string(debian_arch) + "'",
                          "no container platform for this Debian architecture",
                          "use amd64, arm64, armhf, armel, i386, ppc64el, s390x or riscv64");
}

core::Result<Platform> parse_platform(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  bool any_empty = false;
  for (const auto& part : parts) any_empty |= part.empty();
  if (parts.size() < 2 || parts.size() > 3 || any_empty)
    return core::make_error("platform '" + std::string(text) + "'", "not a platform",
                            "expected os/arch or os/arch/variant, e.g. linux/arm64/v8");
  Platform p{parts[0], parts[1], parts.size() == 3 ? parts[2] : std::string()};
  return p;
}

bool platform_matches(const Platform& have, const Platform& want) {
  return have.os == want.os && have.architecture == want.architecture &&
         (want.variant.empty() || have.variant == want.variant);
}

}  // namespace distill::oci
