#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "core/result.hpp"

namespace distill::oci {

enum class Compression { kNone, kGzip, kZstd };

// Defaults are part of the reproducibility contract: changing one changes
// every compressed layer digest (docs/image-format.md).
inline constexpr int kDefaultGzipLevel = 4;
inline constexpr int kDefaultZstdLevel = 3;

std::string_view layer_media_type(Compression c);
std::string_view compression_name(Compression c);
// --compression: "gzip" or "zstd" (a layer is always compressed).
core::Result<Compression> parse_compression(std::string_view text);

// Streams bytes through an encoder with every parameter pinned, so the same
// input gives the same output bytes whatever the chunking of write() calls:
//  gzip: zlib deflate, windowBits 31, memLevel 8, default strategy, and a
//        fixed header (mtime 0, no name/comment/extra, OS byte 255 "unknown",
//        as Go's compress/gzip writes it).
//  zstd: one frame, checksum on, no content size, no dictionary ID, single-threaded.
// Output is handed to `sink` in chunks; a sink error stops the stream.
class Compressor {
 public:
  using Sink = std::function<core::Status(std::string_view)>;

  // `level` 0 picks the default for the algorithm.
  static core::Result<std::unique_ptr<Compressor>> create(Compression c, int level, Sink sink);
  virtual ~Compressor() = default;

  virtual core::Status write(std::string_view data) = 0;
  // Flushes the end of the stream; no write() after this.
  virtual core::Status finish() = 0;
};

}  // namespace distill::oci
