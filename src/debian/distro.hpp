#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::debian {

// A supported Debian release and the suites a distroless build draws from.
struct Distro {
  std::string id;        // debian12
  std::string codename;  // bookworm
  std::string version;   // 12
  // Released after the 64-bit time_t transition, which renamed library
  // packages (libssl3 -> libssl3t64).
  bool time64 = false;
  // <codename>, <codename>-updates (archive mirror), <codename>-security
  // (security mirror), in that order.
  std::vector<std::string> suites() const;
  static bool is_security_suite(std::string_view suite);
};

// The distro a spec or command builds when it names none.
inline constexpr std::string_view kDefaultDistro = "debian12";

// "debian12", "debian13", "bookworm", "trixie" -> Distro.
core::Result<Distro> find_distro(std::string_view name);

// The names find_distro accepts in a spec: ids first, then codenames
// ({"debian12", "debian13", "bookworm", "trixie"}).
std::vector<std::string> distro_names();
// For help texts: "debian12 (bookworm) or debian13 (trixie)".
std::string distro_choices();

// Any Debian release's major version -> codename, including releases distill
// does not build (images of them are still scanned): "11" -> "bullseye".
std::optional<std::string> codename_for_version(std::string_view major);
// Whether `name` is a Debian release codename (buster ... duke, sid).
bool is_release_codename(std::string_view name);

// Debian's multiarch triplet for an architecture: "amd64" -> "x86_64-linux-gnu"
// (what `dpkg-architecture -qDEB_HOST_MULTIARCH` prints); nullopt if unknown.
std::optional<std::string> multiarch_triplet(std::string_view arch);

// Debian's name for an architecture given by another naming scheme: the
// kernel's (`uname -m`: x86_64, aarch64, armv7l, i686, ppc64le), Go's and
// OCI's (386, arm64/v8, arm/v7). Users type those; Debian's indices know only
// their own names. Empty when `name` is no known alias.
std::string debian_arch_for_alias(std::string_view name);

}  // namespace distill::debian
