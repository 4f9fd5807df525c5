#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "builder/preset.hpp"
#include "builder/rootfs.hpp"
#include "builder/spec.hpp"
#include "core/result.hpp"
#include "debian/relation.hpp"
#include "oci/fs_entry.hpp"

namespace distill::builder {

// What cutting an image into layers needs to know of one installed package
// (docs/image-format.md#layers-of-an-image).
struct LayerPackage {
  std::string name;
  std::string source;  // the control's Source without its version, else the name
  uint64_t bytes = 0;  // Installed-Size, in bytes
  std::vector<debian::Alternatives> depends;  // Depends and Pre-Depends
  std::vector<std::string> provides;
  // Every file as the package shipped it (after merged /usr, trimming and
  // setuid stripping, which depend on the .deb alone): only such a package
  // may go into a layer shared with other images.
  bool clean = true;
};

// Reads the layering facts from a package's control text.
core::Result<LayerPackage> layer_package(const std::string& name, const std::string& control);

// Marks unclean each package one of whose paths the build changed or
// removed after adding it (Tree::changed), that lost a file conflict, or
// that hard-links outside its own files.
void judge_packages(const Rootfs& fs, std::vector<LayerPackage>& packages);

// For each package, the lowest level whose roots reach it through Depends
// and Pre-Depends among the image's own packages (an alternative is taken by
// its first choice the image holds, by name, else by the first provider in
// name order); -1 when no level reaches it. `level_roots[k]` holds every root
// of level k, those of the levels below included. Versions are not compared:
// the image's packages already satisfy each other.
std::vector<int> preset_levels(const std::vector<LayerPackage>& packages,
                               const std::vector<std::vector<std::string>>& level_roots);

struct PackageLayer {
  std::string name;                   // the level, the source package, or "other"
  std::vector<std::string> packages;  // sorted
};

// The shared package layers, bottom first: one per level (its clean
// packages), then one per source package of the clean packages no level
// reaches, the largest first (ties by name), and once `max_layers` would be
// passed, the remaining ones together as "other". Unclean packages are in
// none: they belong to the image's own layer.
std::vector<PackageLayer> plan_package_layers(const std::vector<LayerPackage>& packages,
                                              const std::vector<int>& levels,
                                              const std::vector<std::string>& level_names,
                                              uint32_t max_layers);

// The shared package layers of spec.layering (none for `single`): the
// preset's lineage as levels, then the source groups, for `packages` as
// judged (judge_packages) or, before the build has run, as assumed.
std::vector<PackageLayer> package_layers(const Spec& spec, const Preset& preset,
                                         const debian::Distro& distro,
                                         const std::vector<LayerPackage>& packages);

struct LayerContents {
  std::string name;
  std::vector<std::string> packages;
  std::vector<oci::FsEntry> entries;
};

// Empties `fs` into the package layers (each: its packages' paths and their
// status.d entries) and, last, the image's own layer named "image" (everything
// else; its `packages` are those of no package layer). Every
// layer lists the folders above its entries with the tree's metadata, and a
// hard link in the image's layer brings its target along.
std::vector<LayerContents> split_rootfs(Rootfs& fs, const std::vector<PackageLayer>& layers);

// "var/lib/dpkg/status.d/<name>" and its ".md5sums".
std::string status_path(const std::string& package);

}  // namespace distill::builder
