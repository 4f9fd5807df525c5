#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/image_config.hpp"
#include "oci/manifest.hpp"

namespace distill::oci {

enum class ImageSourceKind { kOciLayout, kDockerArchive, kRegistry };

// Bounds that keep a hostile image from making us allocate without limit.
struct ReaderLimits {
  int64_t max_metadata_size = 8 << 20;  // an index, manifest, config or manifest.json
  size_t max_archive_members = 100000;  // members of a docker-archive tar
  int max_index_depth = 4;              // nested image indexes
};

// One platform's image as found in a layout or archive, metadata verified.
struct PlatformImage {
  std::vector<std::string> ref_names;  // ref.name annotations, or a docker-archive's RepoTags
  Descriptor manifest_descriptor;      // for a docker-archive: of the manifest synthesised from it
  Manifest manifest;
  std::string config_json;  // exactly as stored
  ImageConfig config;
};

// Reads an OCI image layout folder or a docker-archive tar (optionally
// compressed) for `distill inspect`. Every blob read is checked against its
// descriptor's size and digest; layout blobs are opened only as
// blobs/sha256/<hex> beneath the layout, without following symlinks; a
// docker-archive's member names must be relative without "..".
class ImageReader {
 public:
  using Sink = std::function<core::Status(std::string_view)>;

  // A folder is read as a layout, a file as a docker-archive.
  static core::Result<std::unique_ptr<ImageReader>> open(const std::string& path,
                                                         const ReaderLimits& limits = {});
  virtual ~ImageReader() = default;

  virtual ImageSourceKind kind() const = 0;
  // A layout's index.json; for a docker-archive, one manifest per manifest.json entry.
  virtual const Index& index() const = 0;

  // Every image the index leads to, nested indexes resolved.
  core::Result<std::vector<PlatformImage>> images();

  // The whole blob, if `d.size` is at most `max_size`, verified.
  core::Result<std::string> read_blob(const Descriptor& d, int64_t max_size);
  // Streams the blob. The bytes are unverified until this returns Ok: a
  // caller that acts on them must be able to undo that on error.
  core::Status stream_blob(const Descriptor& d, const Sink& sink);

 protected:
  ImageReader(std::string path, ReaderLimits limits) : path_(std::move(path)), limits_(limits) {}
  // The stored bytes of a blob, unverified.
  virtual core::Status stream_raw(const Descriptor& d, const Sink& sink) = 0;
  // The names of index().manifests[i]: its ref.name annotation by default.
  virtual std::vector<std::string> ref_names(size_t i) const;

  std::string path_;
  ReaderLimits limits_;

 private:
  core::Status collect(const Descriptor& d, const std::vector<std::string>& refs, int depth,
                       std::vector<PlatformImage>& out);
  core::Result<PlatformImage> load_image(const Descriptor& manifest_descriptor,
                                         std::vector<std::string> refs);
};

}  // namespace distill::oci
