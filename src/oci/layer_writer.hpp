#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "oci/compressor.hpp"
#include "oci/digest.hpp"
#include "oci/fs_entry.hpp"

namespace distill::oci {

// The SOURCE_DATE_EPOCH used when none is given: 1970-01-01T00:00:00Z.
inline constexpr int64_t kDefaultSourceDateEpoch = 0;

struct LayerOptions {
  Compression compression = Compression::kGzip;
  int level = 0;  // 0: kDefaultGzipLevel / kDefaultZstdLevel
  // Every mtime later than this becomes this; it is also the mtime of
  // directories added for missing parents.
  int64_t source_date_epoch = kDefaultSourceDateEpoch;
  // Adds a 0755 root:root directory for every parent not listed, so the
  // layer never depends on how a runtime invents missing folders.
  bool add_parent_dirs = true;
};

// A compressed layer blob on disk and the digests that describe it.
struct LayerBlob {
  Digest diff_id;    // SHA-256 of the uncompressed tar: the image config's rootfs.diff_ids
  Digest digest;     // SHA-256 of the blob as stored: the manifest's layer descriptor
  int64_t size = 0;  // bytes of the blob as stored
  int64_t uncompressed_size = 0;
  std::string media_type;
  std::string path;  // where the blob was written
};

// Turns caller entries into exactly what will be written: validated and
// normalised, sorted (component by component, bytewise within a component, so
// parents precede children and each folder's subtree is contiguous), missing
// parents added, mtimes clamped, and each hardlink group re-rooted so its
// content sits on the group's first path in that order (tar requires a link's
// target earlier in the stream). Refuses duplicates, entries under a
// non-directory, and hardlinks to anything but a regular file of the layer.
core::Result<std::vector<FsEntry>> plan_layer(std::vector<FsEntry> entries,
                                              const LayerOptions& options);

// Writes the layer tar (PAX restricted, see docs/image-format.md) compressed to
// `blob_path` through an AtomicFile: on any error the target is untouched and
// no temporary is left. Streams: memory use does not grow with the layer.
core::Result<LayerBlob> write_layer(std::vector<FsEntry> entries, const LayerOptions& options,
                                    const std::string& blob_path);

// The bytewise, parent-first order used for layer entries.
bool layer_path_less(std::string_view a, std::string_view b);

}  // namespace distill::oci
