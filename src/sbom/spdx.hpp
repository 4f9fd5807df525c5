#pragma once

#include <nlohmann/json.hpp>

#include "sbom/document.hpp"
#include "sbom/inventory.hpp"

namespace distill::sbom {

// An SPDX 2.3 JSON document: the image as the described package (its
// manifest digest as checksum and version, purpose CONTAINER) CONTAINS one
// package per installed Debian package, each with its purl, source package
// and declared license; LicenseRef-s are listed in
// hasExtractedLicensingInfos. The namespace is derived from the digest.
nlohmann::ordered_json spdx_document(const ImageInventory& inv, const DocumentInfo& info);

}  // namespace distill::sbom
