#pragma once

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

}  // namespace distill::registry
