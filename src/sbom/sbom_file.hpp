#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "image/image_opener.hpp"
#include "oci/manifest.hpp"
#include "sbom/inventory.hpp"

namespace distill::sbom {

enum class SbomFormat { kSpdxJson, kCycloneDxJson };

// "spdx-json" or "cyclonedx-json".
core::Result<SbomFormat> parse_sbom_format(std::string_view name);
// ".spdx.json" or ".cdx.json".
std::string_view sbom_extension(SbomFormat f);
// The OCI artifactType (and blob media type) of an attached SBOM:
// "application/spdx+json" or "application/vnd.cyclonedx+json".
std::string_view sbom_media_type(SbomFormat f);

// The document's time: SOURCE_DATE_EPOCH when set (an error when it is not
// a number), else the image's creation time, so output is reproducible.
core::Result<int64_t> document_time(const ImageInventory& inv);

// The SBOM of one platform image as indented JSON text, newline-terminated.
core::Result<std::string> render_sbom(const ImageInventory& inv, SbomFormat format);

// What `distill sbom` is asked for (docs/sbom.md).
struct SbomOptions {
  std::string platform;              // needed when the image has several
  std::string format = "spdx-json";  // parse_sbom_format names
  std::string cache_dir;             // the inventory cache's root
  bool no_cache = false;             // read the layers even when the inventory is cached
};

// `distill sbom`: checks the format, then opens the image and renders the
// SBOM of its one (or --platform's) image.
core::Result<std::string> image_sbom(const image::ImageOpener& open, const SbomOptions& options);

// The SBOM of one platform image of a multi-platform image.
struct PlatformSbom {
  std::string platform;      // "linux/amd64"
  oci::Descriptor manifest;  // the platform image's manifest: what the SBOM describes
  std::string text;
};

// One SBOM per platform image of the image at `image_ref`, in index order.
core::Result<std::vector<PlatformSbom>> render_platform_sboms(const std::string& image_ref,
                                                              SbomFormat format,
                                                              cache::Cache* cache = nullptr);

// `distill build --sbom`: one SBOM per platform image of the image at
// `image_ref`, written atomically beside it: <base><ext> for a single
// platform, <base>.<os>-<arch>[-<variant>]<ext> for several. Returns the
// files written.
core::Result<std::vector<std::string>> write_sboms_beside(const std::vector<PlatformSbom>& sboms,
                                                          const std::string& base,
                                                          SbomFormat format);

}  // namespace distill::sbom
