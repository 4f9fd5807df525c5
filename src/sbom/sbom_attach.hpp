#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/manifest.hpp"
#include "registry/remote.hpp"
#include "sbom/sbom_file.hpp"

namespace distill::sbom {

// Which format an SBOM document is in, from its content: SPDX JSON has
// "spdxVersion", CycloneDX JSON has "bomFormat": "CycloneDX".
core::Result<SbomFormat> detect_sbom_format(std::string_view text, std::string_view where);

// Pushes each SBOM to the repository of `dst` (HOST[:PORT]/REPO[:TAG]) as an
// OCI artifact whose subject is its `manifest` (registry/referrers.hpp), the
// referrers tag updated. The images must have been pushed there already.
// Returns the artifact manifests' descriptors, in order.
core::Result<std::vector<oci::Descriptor>> attach_sboms(const std::vector<PlatformSbom>& sboms,
                                                        SbomFormat format, const std::string& dst,
                                                        const registry::RemoteOptions& remote);

}  // namespace distill::sbom
