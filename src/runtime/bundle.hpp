#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/temp_dir.hpp"
#include "oci/image_reader.hpp"

namespace distill::runtime {

// How Bundle::unpack makes the rootfs.
struct BundleOptions {
  std::string parent;  // where the bundle folder goes (default $TMPDIR)
  // A RootCache root: the rootfs is an overlay of the cached layers. Empty:
  // every layer is copied into rootfs/.
  std::string root_cache;
  // Mounts the overlay on `target` with `data` (default: overlayfs, nosuid,
  // nodev). Tests make it fail.
  std::function<core::Status(const std::string& target, const std::string& data)> mount;
  // Where the one warning of a fallback to copying goes (default: stderr).
  std::function<void(std::string_view)> warn;
};

// An OCI runtime bundle in a private temporary folder: rootfs/ and
// config.json. rootfs/ is either an overlay mount (nosuid, nodev) of the
// image's layers as a RootCache keeps them, with upper/ and work/ beside it
// in the bundle, or, where overlayfs cannot be used, the layers copied in
// order with their whiteouts applied. Unmounted and removed with everything
// in it when destroyed.
class Bundle {
 public:
  Bundle(Bundle&& o) noexcept
      : dir_(std::move(o.dir_)), mounted_(std::move(o.mounted_)), skipped_(o.skipped_) {
    o.mounted_.clear();
  }
  Bundle& operator=(Bundle&&) = delete;
  ~Bundle();

  // Unpacks `image` into a new folder under `parent` (default $TMPDIR).
  // Each layer is verified (digest, diff_id) while it streams; any failure
  // removes the whole bundle. Whiteouts apply to the lower layers only, so
  // a layer is read twice: its whiteouts first, then its files.
  static core::Result<Bundle> unpack(oci::ImageReader& reader, const oci::PlatformImage& image,
                                     const std::string& parent = {});
  // The same, an overlay of cached layers when options.root_cache is set
  // (see BundleOptions); where the overlay cannot be made, one warning and
  // the layers are copied instead. Bundles of dead distills in the parent
  // are unmounted and removed first.
  static core::Result<Bundle> unpack(oci::ImageReader& reader, const oci::PlatformImage& image,
                                     const BundleOptions& options);

  const std::string& path() const { return dir_.path(); }
  std::string rootfs() const { return dir_.path() + "/rootfs"; }
  // Device nodes and sockets the layers held and that were left out.
  size_t skipped() const { return skipped_; }

  // A regular file of the rootfs, read without following any symlink.
  core::Result<std::string> read_rootfs_file(std::string_view rel,
                                             size_t max_bytes = 1 << 20) const;
  // Whether rootfs/ is an overlay of cached layers.
  bool overlay() const { return !mounted_.empty(); }
  // Leaves the folder, and its overlay, in place on destruction (a detached
  // container's: unmount_bundles() undoes it).
  void keep() {
    dir_.keep();
    mounted_.clear();
  }
  // Writes config.json (atomically).
  core::Status write_config(std::string_view json) const;

 private:
  explicit Bundle(core::TempDir dir) : dir_(std::move(dir)) {}
  core::Status mount_cached(oci::ImageReader& reader, const oci::PlatformImage& image,
                            const BundleOptions& options);
  core::Status copy_layers(oci::ImageReader& reader, const oci::PlatformImage& image);

  core::TempDir dir_;
  std::string mounted_;  // rootfs while our overlay is mounted there
  size_t skipped_ = 0;
};

// Unmounts the rootfs of every bundle folder ("distill-bundle.*") directly
// in `dir` (a detached container's folder before it is removed); with
// `stale_only`, only of bundles whose distill is gone (TempDir's rule), so
// that TempDir::create can remove them.
void unmount_bundles(const std::string& dir, bool stale_only);

}  // namespace distill::runtime
