#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "oci/digest.hpp"
#include "oci/image_reader.hpp"
#include "oci/manifest.hpp"
#include "oci/tar_entry_reader.hpp"

namespace distill::image {

// Every type a layer tar can hold. Device nodes, FIFOs and sockets are kept
// (distill never writes them, but `lint` wants to see them in other images).
enum class FileType { kRegular, kDirectory, kSymlink, kCharDevice, kBlockDevice, kFifo, kSocket };

std::string_view file_type_name(FileType type);

// One member of a layer tar, as the tar says it.
struct LayerEntry {
  // Relative to the image root, normalised: no leading "/" or "./", no "."
  // components, no trailing slash ("usr/bin/env"). Whiteouts keep their
  // ".wh." names here; RootfsView interprets them.
  std::string path;
  FileType type = FileType::kRegular;
  uint32_t mode = 0;  // permission bits, setuid/setgid/sticky included
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t mtime = 0;
  int64_t size = 0;         // content bytes of a regular file (0 for a hard link)
  std::string link_target;  // kSymlink: the target, verbatim
  std::string hardlink_to;  // a hard link: the normalised path it links to (type is kRegular)
  std::map<std::string, std::string> xattrs;  // e.g. "security.capability"
};

// The current entry's content, valid during the visit only.
struct ContentReader {
  // All of it; more than `max_bytes` is an error.
  std::function<core::Result<std::string>(int64_t max_bytes)> read;
  // All of it, in bounded chunks: memory does not grow with the file.
  std::function<core::Status(const oci::ContentSink&)> copy;

  // Content from memory, for fakes.
  static ContentReader of(std::string data);
};
// Called once per tar member, in archive order. The root folder itself
// ("./") is not reported.
using LayerVisitor = std::function<core::Status(const LayerEntry&, const ContentReader&)>;

struct LayerDigests {
  oci::Digest diff_id;            // SHA-256 of the uncompressed tar
  int64_t uncompressed_size = 0;  // bytes of the uncompressed tar, end blocks and padding included
};

// Streams one layer blob out of `reader`, decompresses it as its media type
// says (plain tar, gzip or zstd; the data must really be in that format) and
// calls `visit` for every member. The blob is checked against the
// descriptor's size and digest as it streams, but `visit` sees entries before
// the end is reached: on an error result the caller must discard whatever it
// built from them. Memory use does not grow with the layer; the blob is read
// on a helper thread and piped through a socket pair.
// Returns the digest and size of the uncompressed tar, so the caller can
// compare them with the config's diff_ids.
core::Result<LayerDigests> read_layer(oci::ImageReader& reader, const oci::Descriptor& layer,
                                      const LayerVisitor& visit);

// "./usr//bin/" -> "usr/bin"; "./" -> "" (the root). Refuses ".." components,
// which would escape the root when unpacked.
core::Result<std::string> normalize_member_path(std::string_view name);

}  // namespace distill::image
