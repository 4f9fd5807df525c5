#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/image_reader.hpp"
#include "oci/manifest.hpp"
#include "registry/blob_hints.hpp"
#include "registry/client.hpp"
#include "registry/reference.hpp"

namespace distill::registry {

// Blob transfers run at most this many at a time.
inline constexpr int kDefaultParallelTransfers = 4;

// An image as a tree: every manifest and index with its exact bytes, children
// before parents, and the distinct blobs they reference.
struct ImageTree {
  struct Node {
    oci::Descriptor descriptor;
    std::string body;
  };
  std::vector<Node> manifests;  // the top one last
  std::vector<oci::Descriptor> blobs;
};

// Reads (and verifies) every manifest under `top`. Entries of an index that
// are neither images nor indexes (artifacts) are refused: copying them
// half-way would break the index.
core::Result<ImageTree> read_tree(oci::ImageReader& src, const oci::Descriptor& top);

// `top` when `platform` is empty; else the manifest for "os/arch[/variant]"
// in the index `top` (or `top` itself if it is a manifest for that platform).
core::Result<oci::Descriptor> select_platform(oci::ImageReader& src, const oci::Descriptor& top,
                                              std::string_view platform);

struct PushOptions {
  int parallel = kDefaultParallelTransfers;
  BlobHints* hints = nullptr;  // mount sources; updated with what was pushed
  // A repository of the same registry already holding the blobs (copy
  // between repositories): mounted from first.
  std::string mount_from;
  bool progress = false;  // draw a progress bar on stderr
};

// Pushes `top` with everything it references to `ref`: blobs (skipping what
// the registry has, mounting what another repository has), then manifests by
// digest, children first, and the tag last, so an interrupted push never
// leaves a tag on an incomplete image. Returns the top descriptor.
core::Result<oci::Descriptor> push_image(oci::ImageReader& src, const oci::Descriptor& top,
                                         Client& dst, const Reference& ref,
                                         const PushOptions& options);

// Writes `top` and everything under it as an OCI layout at `out` (replaced
// atomically; nothing there on failure), listed in index.json as `tag`.
core::Status write_layout(oci::ImageReader& src, const oci::Descriptor& top, const std::string& out,
                          const std::string& tag, int parallel, bool progress = false);

// Writes the one-platform image `manifest` as a docker-archive tar.
core::Status write_archive(oci::ImageReader& src, const oci::Descriptor& manifest,
                           const std::string& out, const std::vector<std::string>& repo_tags,
                           int parallel, bool progress = false);

}  // namespace distill::registry
