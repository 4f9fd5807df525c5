#include "sbom/inventory.hpp"

#include "image/image_source.hpp"
#include "image/rootfs_view.hpp"

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

}  // namespace

core::Result<ImageInventory> read_inventory(std::string_view reference,
                                            const InventoryOptions& options) {
  DISTILL_ASSIGN(auto source, image::ImageSource::open(reference));
  DISTILL_ASSIGN(auto selected, source->select_platform(options.platform));
  if (selected.size() != 1)
    return core::make_error(std::string(reference),
                            "has " + std::to_string(selected.size()) + " platform images",
                            "choose one with --platform, e.g. linux/amd64");
  const oci::PlatformImage& img = *selected.front();
  image::RootfsOptions ropts;
  bool copyrights = options.with_copyrights;
  ropts.keep_content = [copyrights](std::string_view path) {
    return image::is_dpkg_database_file(path) || image::is_os_release_file(path) ||
           (copyrights && is_copyright_file(path));
  };
  auto fs = image::RootfsView::read(source->reader(), img, ropts);
  if (!fs.ok()) return fs.error().with_where(source->ref().path);
  ImageInventory inv;
  inv.reference = std::string(reference);
  inv.name = img.ref_names.empty() ? inv.reference : img.ref_names.front();
  inv.digest = img.manifest_descriptor.digest.str();
  inv.platform = img.config.platform.str();
  inv.created = img.config.created;
  DISTILL_ASSIGN(inv.os, image::read_os_release(*fs));
  DISTILL_ASSIGN(inv.packages, image::read_dpkg_packages(*fs));
  if (copyrights) read_copyrights(*fs, inv);
  return inv;
}

}  // namespace distill::sbom
