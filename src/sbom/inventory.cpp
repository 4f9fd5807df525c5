#include "sbom/inventory.hpp"

#include "image/image_source.hpp"
#include "image/rootfs_view.hpp"
#include "sbom/inventory_cache.hpp"
#include "sbom/lang_inventory.hpp"

namespace distill::sbom {
namespace {

constexpr std::string_view kDocDir = "usr/share/doc/";
constexpr std::string_view kCopyright = "/copyright";

bool is_copyright_file(std::string_view path) {
  if (!path.starts_with(kDocDir) || !path.ends_with(kCopyright)) return false;
  std::string_view package =
      path.substr(kDocDir.size(), path.size() - kDocDir.size() - kCopyright.size());
  return !package.empty() && package.find('/') == std::string_view::npos;
}

void read_copyrights(const image::RootfsView& fs, ImageInventory& inv) {
  for (const auto& p : inv.packages) {
    // Follows a symlinked doc folder (libfoo-dev -> libfoo) as dpkg packages do.
    auto text = fs.read_file(std::string(kDocDir) + p.name + std::string(kCopyright));
    if (text.ok()) inv.copyrights[p.name] = std::string(*text);
  }
}

core::Result<ImageInventory> read_layers(image::ImageSource& source, const oci::PlatformImage& img,
                                         bool copyrights) {
  image::RootfsOptions ropts;
  ropts.keep_content = [copyrights](std::string_view path) {
    return image::is_dpkg_database_file(path) || image::is_os_release_file(path) ||
           is_lang_inventory_file(path) || (copyrights && is_copyright_file(path));
  };
  DISTILL_ASSIGN(std::shared_ptr<LangProbe> probe, LangProbe::create());
  ropts.probe = [probe](const image::LayerEntry& e, const image::ContentReader& content) {
    return probe->probe(e, content);
  };
  auto fs = image::RootfsView::read(source.reader(), img, ropts);
  if (!fs.ok()) return fs.error().with_where(source.name().where);
  ImageInventory inv;
  inv.digest = img.manifest_descriptor.digest.str();
  inv.platform = img.config.platform.str();
  inv.created = img.config.created;
  DISTILL_ASSIGN(inv.os, image::read_os_release(*fs));
  DISTILL_ASSIGN(inv.packages, image::read_dpkg_packages(*fs));
  inv.lang_packages = read_lang_packages(*fs);
  if (copyrights) read_copyrights(*fs, inv);
  return inv;
}

// The record of `digest` under the key for `copyrights`, or nullopt (none, or
// an unusable one).
std::optional<ImageInventory> lookup(cache::Cache& cache, const std::string& digest,
                                     bool copyrights) {
  std::string key = inventory_cache_key(digest, copyrights);
  auto text = cache.read_named(key);
  if (!text) return std::nullopt;
  auto inv = parse_inventory_record(*text, key);
  if (!inv.ok() || inv->digest != digest) return std::nullopt;
  return std::move(inv).value();
}

// A record with copyrights also answers a request without them (a scan after
// `distill build --sbom` or `distill sbom`).
std::optional<ImageInventory> cached(cache::Cache& cache, const std::string& digest,
                                     bool copyrights) {
  auto hit = lookup(cache, digest, copyrights);
  if (hit || copyrights) return hit;
  hit = lookup(cache, digest, true);
  if (hit) hit->copyrights.clear();
  return hit;
}

}  // namespace

core::Result<ImageInventory> read_inventory(std::string_view reference,
                                            const InventoryOptions& options) {
  DISTILL_ASSIGN(auto source, transport::open_image(reference, options.transport));
  return read_inventory(*source, options);
}

core::Result<ImageInventory> read_inventory(image::ImageSource& source,
                                            const InventoryOptions& options) {
  const std::string& reference = source.name().text;
  DISTILL_ASSIGN(auto selected, source.select_platform(options.platform));
  if (selected.size() != 1)
    return core::make_error(reference,
                            "has " + std::to_string(selected.size()) + " platform images",
                            "choose one with --platform, e.g. linux/amd64");
  const oci::PlatformImage& img = *selected.front();
  std::optional<ImageInventory> hit;
  if (options.cache)
    hit = cached(*options.cache, img.manifest_descriptor.digest.str(), options.with_copyrights);
  ImageInventory inv;
  if (hit) {
    inv = std::move(*hit);
  } else {
    DISTILL_ASSIGN(inv, read_layers(source, img, options.with_copyrights));
    if (options.cache) {
      auto record = inventory_record(inv);
      if (record.ok())
        (void)options.cache->write_named(inventory_cache_key(inv.digest, options.with_copyrights),
                                         *record);
    }
  }
  inv.reference = reference;
  // A layout's ref name is usually a bare tag ("latest"), which names no
  // image; only a full reference does.
  inv.name = source.name().name;
  if (!img.ref_names.empty() && img.ref_names.front().find_first_of("/:") != std::string::npos)
    inv.name = img.ref_names.front();
  return inv;
}

}  // namespace distill::sbom
