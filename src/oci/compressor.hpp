#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
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
// Every parameter that makes the compressed bytes, e.g. "gzip members=524288
// level=4 libdeflate=1.14": what a cache of compressed layers must key on, so
// that a blob from an older format is never reused as if it were this one.
std::string compression_format(Compression c);
// --compression: "gzip" or "zstd" (a layer is always compressed).
core::Result<Compression> parse_compression(std::string_view text);

// Streams bytes through an encoder with every parameter pinned, so the same
// input gives the same output bytes whatever the chunking of write() calls:
//  gzip: one gzip member per kGzipBlock bytes of input, deflated in
//        parallel by libdeflate, each with a fixed header (mtime 0, no
//        name/comment/extra, OS byte 255 "unknown", as Go's compress/gzip
//        writes it) and its own CRC-32 and size. The same bytes for any
//        number of threads (docs/image-format.md).
//  zstd: one frame, checksum on, no content size, no dictionary ID, single-threaded.
// Output is handed to `sink` in chunks; a sink error stops the stream.
inline constexpr size_t kGzipBlock = 512 * 1024;  // part of the digest
inline constexpr unsigned kMaxGzipThreads = 8;

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

// The cores gzip uses: the machine's, at most kMaxGzipThreads.
unsigned default_gzip_threads();
// The gzip Compressor with an explicit thread count (1: no thread started);
// the output does not depend on it. `level` in 1..9.
std::unique_ptr<Compressor> make_parallel_gzip(int level, unsigned threads, Compressor::Sink sink);

}  // namespace distill::oci
