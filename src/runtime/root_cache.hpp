#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
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

  // <root>/lock, flock'd shared by a run from its first layer until its
  // overlay is mounted, exclusive by prune: a layer a run is about to mount
  // is never removed, and once mounted it is in the mount table.
  core::Result<core::UniqueFd> lock(bool exclusive) const;

  struct Pruned {
    size_t removed = 0;
    size_t kept = 0;  // lower layers of a mounted overlay
  };
  // Removes every cached layer that no overlay in `mountinfo` (the text of
  // /proc/self/mountinfo) has as a lower layer: a running container's,
  // detached or not, stays.
  core::Result<Pruned> prune(std::string_view mountinfo) const;

 private:
  core::Status prepare() const;
  core::Result<std::string> unpack(oci::ImageReader& reader, const oci::Descriptor& layer,
                                   const oci::Digest& diff_id) const;
  std::string root_;
};

// `distill cache prune`: RootCache(root).prune() over this process's mount
// table, as a `distill run` in the same mount namespace sees it.
core::Result<RootCache::Pruned> prune_root_cache(const std::string& root);

// The lowerdir folders of every overlay mount in `mountinfo` (the format
// of /proc/self/mountinfo; octal escapes decoded).
std::vector<std::string> overlay_lower_dirs(std::string_view mountinfo);

}  // namespace distill::runtime
