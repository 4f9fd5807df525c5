#include "oci/built_image.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/fd_io.hpp"
#include "core/unique_fd.hpp"
#include "oci/media_types.hpp"

namespace distill::oci {

core::Result<std::unique_ptr<BuiltImage>> BuiltImage::create(const std::vector<Image>& images) {
  if (images.empty()) return core::make_error("image", "no image to write");
  std::unique_ptr<BuiltImage> b(new BuiltImage());
  for (const auto& image : images) {
    DISTILL_ASSIGN(ImageMetadata meta, image_metadata(image));
    for (const auto& l : image.layers) b->files_[l.digest] = l.path;
    b->metadata_[meta.config.digest] = std::move(meta.config_json);
    b->metadata_[meta.manifest.digest] = std::move(meta.manifest_json);
    b->manifests_.push_back(std::move(meta.manifest));
  }
  if (images.size() == 1) {
    b->index_.manifests.push_back(b->manifests_.front());
    return b;
  }
  Index index;
  index.manifests = b->manifests_;
  DISTILL_ASSIGN(std::string json, index_json(index));
  Descriptor top = describe(kMediaTypeIndex, json);
  b->metadata_[top.digest] = std::move(json);
  b->index_.manifests.push_back(std::move(top));
  return b;
}

std::optional<std::string> BuiltImage::verified_blob_file(const Descriptor& d) const {
  auto it = files_.find(d.digest);
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

core::Status BuiltImage::stream_raw(const Descriptor& d, const Sink& sink) {
  if (auto it = metadata_.find(d.digest); it != metadata_.end()) return sink(it->second);
  auto it = files_.find(d.digest);
  if (it == files_.end()) return core::make_error(path_, "has no blob " + d.digest.str());
  const std::string& path = it->second;
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return core::make_error(path, std::strerror(errno));
  std::vector<char> buffer(1 << 18);
  while (true) {
    ssize_t n = core::read_some(fd.get(), buffer.data(), buffer.size());
    if (n < 0) return core::make_error(path, std::strerror(errno));
    if (n == 0) return core::Status::Ok();
    DISTILL_TRY(sink(std::string_view(buffer.data(), static_cast<size_t>(n))));
  }
}

}  // namespace distill::oci
