#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "oci/digest.hpp"
#include "oci/image_reader.hpp"
#include "oci/manifest.hpp"

namespace distill::runtime {

// Image layers unpacked once and kept, for overlayfs to stack into a
// container's root (docs/cache.md, "Unpacked layers"):
//
//   <root>/sha256/<diff_id hex>/tree   the layer's files, whiteouts as overlayfs
//                                      records them (RootfsWriter::Whiteouts::kOverlay)
//   <root>/sha256/<diff_id hex>/seal   "distill-unpacked-v1 sha256:<diff_id> <tree digest>"
//
// A layer is keyed by its diff_id (the digest of its uncompressed tar: what
// decides the files), unpacked into a temporary sibling while its blob
// digest and diff_id are verified, sealed with tree_digest() and renamed into
// place. Before each use the tree's digest is computed again and compared
// with the seal, so a layer changed on disk is unpacked again, never used.
// <root> is 0700 and ours: only root can change a layer without the seal
// noticing it.
class RootCache {
 public:
  using Warn = std::function<void(std::string_view)>;

  // cache::Cache::default_root() + "/unpacked".
  static std::string default_root();
  explicit RootCache(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string layer_dir(const oci::Digest& diff_id) const;

  // The folder of `layer`'s files (an overlay lowerdir): the cached one when
  // its seal holds, else unpacked from `reader` now. A cached layer that
  // changed on disk is reported to `warn` (one line), removed and unpacked
  // again. A digest that does not verify is an error with code kIntegrity.
  core::Result<std::string> layer(oci::ImageReader& reader, const oci::Descriptor& layer,
                                  const oci::Digest& diff_id, const Warn& warn) const;

  // Whether the cached `diff_id` is present and its seal holds; the reason when not.
  core::Status check(const oci::Digest& diff_id) const;

 private:
  core::Status prepare() const;
  core::Result<std::string> unpack(oci::ImageReader& reader, const oci::Descriptor& layer,
                                   const oci::Digest& diff_id) const;
  std::string root_;
};

}  // namespace distill::runtime
