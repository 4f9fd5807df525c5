#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/cache.hpp"
#include "core/result.hpp"
#include "image/dpkg_inventory.hpp"
#include "image/image_source.hpp"
#include "image/os_release.hpp"
#include "sbom/lang_package.hpp"
#include "transport/open.hpp"

namespace distill::sbom {

// What is inside one platform image: what `distill sbom` describes and
// `distill scan` matches.
struct ImageInventory {
  std::string reference;  // as given on the command line
  std::string name;       // the first ref name / tag, else the reference
  std::string digest;     // the manifest's, "sha256:..."
  std::string platform;   // "linux/amd64"
  int64_t created = 0;    // the config's creation time, Unix seconds
  std::optional<image::OsRelease> os;
  std::vector<image::DpkgPackage> packages;
  // Python, npm, Go and Maven packages found in the files (sbom/lang_inventory.hpp).
  std::vector<LangPackage> lang_packages;
  // usr/share/doc/<package>/copyright by package name, when asked for and present.
  std::map<std::string, std::string> copyrights;
};

struct InventoryOptions {
  std::string platform;          // "os/arch[/variant]"; empty: the image must have one platform
  bool with_copyrights = false;  // keep the packages' copyright files
  // Where inventories are recorded by manifest digest (sbom/inventory_cache.hpp);
  // null: always read the layers.
  cache::Cache* cache = nullptr;
  transport::Options transport;  // how to reach a registry
};

// Opens the image (ImageSource::open syntax), applies its layers and reads
// the dpkg database, os-release and the language packages. An image with several platforms needs
// `platform` to pick one. With a cache, an image read before (same manifest
// digest) is answered from its record without reading a layer, and a fresh
// inventory is recorded (a failure to record is ignored: the cache is an
// optimisation).
core::Result<ImageInventory> read_inventory(std::string_view reference,
                                            const InventoryOptions& options);
// The same on an image the caller opened; the reference is the source's text.
core::Result<ImageInventory> read_inventory(image::ImageSource& source,
                                            const InventoryOptions& options);

}  // namespace distill::sbom
