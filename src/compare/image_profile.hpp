#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "image/dpkg_inventory.hpp"
#include "image/image_source.hpp"
#include "image/rootfs_view.hpp"
#include "verify/lint.hpp"
#include "vuln/advisory.hpp"

namespace distill::compare {

// Where a package's size came from: the files its file list names, as they
// are in the image, or the Installed-Size field when the image has no list.
enum class SizeSource { kFileList, kInstalledSize, kUnknown };
std::string_view size_source_name(SizeSource s);  // "files", "installed-size", "unknown"

struct PackageSize {
  std::string name;
  uint64_t bytes = 0;
  size_t files = 0;  // regular files counted (kFileList only)
  SizeSource source = SizeSource::kUnknown;
};

// Everything `distill compare` measures about one platform image.
struct ImageProfile {
  std::string reference;  // as given
  std::string platform;   // "linux/amd64"
  int64_t compressed_size = 0;
  int64_t uncompressed_size = 0;  // the layer tars, as `distill inspect` reports it
  size_t layers = 0;
  size_t files = 0;            // paths of the final filesystem, as `distill inspect` counts
  uint64_t content_bytes = 0;  // regular files' sizes, each inode once (`du --apparent-size`)
  size_t executables = 0;      // regular files with an execute bit
  std::vector<image::DpkgPackage> packages;
  std::vector<std::string> shells;            // lint DISTILL-0001 paths
  std::vector<std::string> package_managers;  // lint DISTILL-0002 paths
  std::vector<std::string> interpreters;      // lint DISTILL-0003 paths
  std::vector<std::string> setuid;            // lint CIS-DI-0008 paths
  std::vector<verify::LintFinding> lint;
  // By severity name; absent when no vulnerability database was given.
  std::optional<std::map<std::string, size_t>> vulnerabilities;
  std::vector<PackageSize> package_sizes;  // largest first, then by name

  size_t lint_count(verify::LintLevel level) const;
};

// Files whose bytes the package sizes need: dpkg's info/*.list and
// *.md5sums, and the md5sums next to status.d stanzas.
bool is_package_file_list(std::string_view path);

// Each package's installed size: the regular files of its
// var/lib/dpkg/info/<name>[:<arch>].list (else .md5sums, else
// status.d/<name>.md5sums) summed as the image has them, else Installed-Size.
std::vector<PackageSize> package_sizes(const image::RootfsView& fs,
                                       const std::vector<image::DpkgPackage>& packages);

// Regular files' sizes, a hard-linked file counted once.
uint64_t content_bytes(const image::RootfsView& fs);

// Measures one image. `advisories` may be null (no vulnerability counts).
core::Result<ImageProfile> profile_image(image::ImageSource& source, const oci::PlatformImage& img,
                                         const vuln::AdvisoryLookup* advisories);

}  // namespace distill::compare
