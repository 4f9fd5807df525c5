#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "oci/image.hpp"
#include "oci/image_reader.hpp"

namespace distill::oci {

// Images that distill has just made (`build`, `import`) as a source, so that
// they reach a layout, a docker-archive or a registry through the same sinks
// as any other image (go-containerregistry's mutate/empty images play this
// part). The metadata blobs are held in memory (they are small); layer blobs
// are the files the LayerBlobs name, streamed and verified like any blob.
class BuiltImage : public ImageReader {
 public:
  // One image: index() lists its manifest. Several: index() lists one image
  // index over their manifests (a multi-platform image), in the given order.
  static core::Result<std::unique_ptr<BuiltImage>> create(const std::vector<Image>& images);

  const Index& index() const override { return index_; }
  // The top descriptor: the manifest, or the index over several.
  const Descriptor& top() const { return index_.manifests.front(); }
  // The manifest descriptor of images[i], platform set.
  const std::vector<Descriptor>& manifests() const { return manifests_; }
  // The layer files the build handed over: written or verified by it.
  std::optional<std::string> verified_blob_file(const Descriptor& d) const override;

 protected:
  core::Status stream_raw(const Descriptor& d, const Sink& sink) override;

 private:
  BuiltImage() : ImageReader("built image", {}) {}

  Index index_;
  std::vector<Descriptor> manifests_;
  std::map<Digest, std::string> metadata_;  // configs, manifests, the index
  std::map<Digest, std::string> files_;     // layer blobs on disk
};

}  // namespace distill::oci
