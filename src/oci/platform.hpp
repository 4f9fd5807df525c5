#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::oci {

// An OCI platform: what `docker pull --platform` and skopeo --override-arch match.
struct Platform {
  std::string os = "linux";
  std::string architecture;  // Go's GOARCH names: amd64, arm64, arm, 386, ppc64le, ...
  std::string variant;       // "v8" for arm64, "v7" for armhf, else empty

  // "linux/arm64/v8" or "linux/amd64".
  std::string str() const;
  friend bool operator==(const Platform&, const Platform&) = default;
};

// Maps a Debian architecture name (amd64, arm64, armhf, i386, ...) to its platform.
core::Result<Platform> platform_for_debian_arch(std::string_view debian_arch);

// Whether `have` is what `want` asks for: os and architecture equal, and the
// variant too when `want` names one (as `docker pull --platform` matches).
bool platform_matches(const Platform& have, const Platform& want);

// Parses "os/arch[/variant]".
core::Result<Platform> parse_platform(std::string_view text);

}  // namespace distill::oci
