#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "image/os_release.hpp"

namespace distill::vuln {

// The Debian release an image's data must be matched against, by codename:
// VERSION_CODENAME, else VERSION_ID, else /etc/debian_version ("12.4" or
// "trixie/sid"). An error when the image is not Debian or says too little.
core::Result<std::string> image_codename(const std::optional<image::OsRelease>& os);

}  // namespace distill::vuln
