#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sbom/inventory.hpp"

namespace distill::sbom {

// What both SBOM formats record besides the inventory.
struct DocumentInfo {
  int64_t created = 0;       // SOURCE_DATE_EPOCH, else the image's creation time
  std::string tool_version;  // distill's
};

// A UUID (RFC 4122 layout, version 5 bits) derived from the image digest and
// `salt`: the same image gives the same document id, so SBOMs are
// reproducible, and different images or formats never share one.
std::string derived_uuid(std::string_view digest, std::string_view salt);

// "debian-<VERSION_ID>" (e.g. "debian-12"), else "debian-<codename>", else "".
std::string purl_distro(const ImageInventory& inv);

// The package's declared license expression from its copyright file, or "".
std::string declared_license(const ImageInventory& inv, const std::string& package);

}  // namespace distill::sbom
