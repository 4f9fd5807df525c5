#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "image/dpkg_inventory.hpp"
#include "image/image_source.hpp"
#include "image/os_release.hpp"
#include "image/rootfs_view.hpp"

namespace distill::image {

// What `distill inspect` shows (docs/inspect.md).
struct InspectOptions {
  std::string platform;  // "os/arch[/variant]"; empty: every platform image
};

// One layer and the history line that made it.
struct InspectedLayer {
  LayerInfo info;
  std::string created_by;
  std::string comment;
};

// Everything shown for one platform image.
struct PlatformInspection {
  const oci::PlatformImage* image = nullptr;  // owned by the ImageSource
  std::vector<InspectedLayer> layers;
  int64_t compressed = 0;
  int64_t uncompressed = 0;
  size_t files = 0;
  std::optional<OsRelease> os;
  std::vector<DpkgPackage> packages;
};

// An image as inspected; refers into the ImageSource, which must outlive it.
struct Inspection {
  const ImageSource* source = nullptr;
  std::vector<PlatformInspection> images;
};

// Applies the layers of each selected platform image and reads its
// os-release and dpkg database.
core::Result<Inspection> inspect_image(ImageSource& source, const InspectOptions& options);

// The JSON document of docs/inspect.md, keys in the documented order.
nlohmann::ordered_json inspection_json(const Inspection& inspection);

// The human-readable report, one block per platform image.
std::string inspection_text(const Inspection& inspection);

}  // namespace distill::image
