#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/temp_dir.hpp"
#include "oci/image_reader.hpp"

namespace distill::runtime {

// An OCI runtime bundle in a private temporary folder: rootfs/ (the image's
// layers unpacked, in order, whiteouts applied) and config.json. Removed
// with everything in it when destroyed.
class Bundle {
 public:
  // Unpacks `image` into a new folder under `parent` (default $TMPDIR).
  // Each layer is verified (digest, diff_id) while it streams; any failure
  // removes the whole bundle. Whiteouts apply to the lower layers only, so
  // a layer is read twice: its whiteouts first, then its files.
  static core::Result<Bundle> unpack(oci::ImageReader& reader, const oci::PlatformImage& image,
                                     const std::string& parent = {});

  const std::string& path() const { return dir_.path(); }
  std::string rootfs() const { return dir_.path() + "/rootfs"; }
  // Device nodes and sockets the layers held and that were left out.
  size_t skipped() const { return skipped_; }

  // A regular file of the rootfs, read without following any symlink.
  core::Result<std::string> read_rootfs_file(std::string_view rel,
                                             size_t max_bytes = 1 << 20) const;
  // Leaves the folder in place on destruction (a detached container's).
  void keep() { dir_.keep(); }
  // Writes config.json (atomically).
  core::Status write_config(std::string_view json) const;

 private:
  explicit Bundle(core::TempDir dir) : dir_(std::move(dir)) {}
  core::TempDir dir_;
  size_t skipped_ = 0;
};

}  // namespace distill::runtime
