#pragma once

#include <nlohmann/json.hpp>

#include "sbom/document.hpp"
#include "sbom/inventory.hpp"

namespace distill::sbom {

// A CycloneDX 1.5 JSON BOM: the image as metadata.component (type
// container, its manifest digest as version and SHA-256 hash), one library
// component per installed Debian package (bom-ref = purl, license
// expression, source package as a property), and the image depending on
// all of them. serialNumber is derived from the digest.
nlohmann::ordered_json cyclonedx_document(const ImageInventory& inv, const DocumentInfo& info);

}  // namespace distill::sbom
