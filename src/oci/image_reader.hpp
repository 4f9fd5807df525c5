#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/image_config.hpp"
#include "oci/manifest.hpp"

namespace distill::oci {

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

// The read side of the image model, as go-containerregistry's v1.Image and
// v1.ImageIndex: an index of top-level descriptors and verified blobs. Every
// source is one of these (oci/layout_reader, oci/docker_archive_reader,
// oci/blob_store_image for what distill builds, registry/registry_reader);
// every sink takes one (oci::write_layout, oci::write_docker_archive,
// registry::push_image), so no caller needs to know where an image came from.
// Every blob read is checked against its descriptor's size and digest.
class ImageReader {
 public:
  using Sink = std::function<core::Status(std::string_view)>;

  virtual ~ImageReader() = default;

  // A layout's index.json; for a docker-archive, one manifest per
  // manifest.json entry; for a registry, the manifest or index the reference names.
  virtual const Index& index() const = 0;
  // The names of index().manifests[i]: its ref.name annotation by default, a
  // docker-archive's RepoTags.
  virtual std::vector<std::string> ref_names(size_t i) const;
  // How many blobs are best read at once: local sources stream from one file
  // or archive, a registry serves several connections.
  virtual int parallel_reads() const { return 1; }
  const ReaderLimits& limits() const { return limits_; }
  // Where the image is, for messages.
  const std::string& where() const { return path_; }

  // Every image the index leads to, nested indexes resolved.
  core::Result<std::vector<PlatformImage>> images();

  // The whole blob, if `d.size` is at most `max_size`, verified.
  core::Result<std::string> read_blob(const Descriptor& d, int64_t max_size);
  // Streams the blob. The bytes are unverified until this returns Ok: a
  // caller that acts on them must be able to undo that on error.
  core::Status stream_blob(const Descriptor& d, const Sink& sink);
  // A local file already holding the blob, verified against `d` by whoever
  // made this reader (a build's layers, hashed as they were written or taken
  // from the cache): a sink may link it instead of copying and hashing it
  // again. nullopt: stream it.
  virtual std::optional<std::string> verified_blob_file(const Descriptor&) const {
    return std::nullopt;
  }

 protected:
  ImageReader(std::string path, ReaderLimits limits) : path_(std::move(path)), limits_(limits) {}
  // The stored bytes of a blob, unverified.
  virtual core::Status stream_raw(const Descriptor& d, const Sink& sink) = 0;

  std::string path_;
  ReaderLimits limits_;

 private:
  core::Status collect(const Descriptor& d, const std::vector<std::string>& refs, int depth,
                       std::vector<PlatformImage>& out);
  core::Result<PlatformImage> load_image(const Descriptor& manifest_descriptor,
                                         std::vector<std::string> refs);
};

}  // namespace distill::oci
