#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/image_reader.hpp"
#include "oci/manifest.hpp"

namespace distill::oci {

// An image as a tree: every manifest and index with its exact bytes, children
// before parents, and the distinct blobs they reference. What every sink
// copies.
struct ImageTree {
  struct Node {
    Descriptor descriptor;
    std::string body;
  };
  std::vector<Node> manifests;  // the top one last
  std::vector<Descriptor> blobs;
};

// Reads (and verifies) every manifest under `top`, nesting bounded by the
// reader's limits. Entries of an index that are neither images nor indexes
// (artifacts) are refused: copying them half-way would break the index.
core::Result<ImageTree> read_tree(ImageReader& src, const Descriptor& top);

// `top` when `platform` is empty; else the manifest for "os/arch[/variant]"
// in the index `top` (or `top` itself if it is a manifest for that platform).
core::Result<Descriptor> select_platform(ImageReader& src, const Descriptor& top,
                                         std::string_view platform);

}  // namespace distill::oci
