#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "oci/image_reader.hpp"
#include "oci/manifest.hpp"

namespace distill::oci {

// How a local sink copies blobs out of a source.
struct SinkOptions {
  int parallel = 4;       // blobs at a time, at most the source's parallel_reads()
  bool progress = false;  // a progress bar on stderr (a terminal, not -q)
};

// Streams each verified blob into the file beside it in `paths`, up to
// options.parallel at a time. A failed blob's partial file is the caller's to
// remove (the sinks write into a staging folder that goes away on failure).
core::Status fetch_blobs(ImageReader& src, const std::vector<Descriptor>& blobs,
                         const std::vector<std::string>& paths, const SinkOptions& options);

}  // namespace distill::oci
