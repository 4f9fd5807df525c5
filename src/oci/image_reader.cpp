#include "oci/image_reader.hpp"

#include "core/sha256.hpp"
#include "oci/media_types.hpp"

namespace distill::oci {

std::vector<std::string> ImageReader::ref_names(size_t i) const {
  const auto& annotations = index().manifests.at(i).annotations;
  auto it = annotations.find(std::string(kAnnotationRefName));
  if (it == annotations.end()) return {};
  return {it->second};
}

core::Status ImageReader::stream_blob(const Descriptor& d, const Sink& sink) {
  core::Sha256 hash;
  int64_t seen = 0;
  auto counting = [&](std::string_view chunk) -> core::Status {
    seen += static_cast<int64_t>(chunk.size());
    // Stop as soon as the blob outgrows its descriptor: no reading a
    // hostile endless blob to the end.
    if (seen > d.size)
      return core::make_error(path_,
                              "blob " + d.digest.str() + " is larger than its descriptor says",
                              "the image is corrupt or was tampered with")
          .with_code(core::ErrorCode::kIntegrity);
    hash.update(chunk);
    return sink(chunk);
  };
  DISTILL_TRY(stream_raw(d, counting));
  if (seen != d.size)
    return core::make_error(path_,
                            "blob " + d.digest.str() + " is " + std::to_string(seen) +
                                " bytes, its descriptor says " + std::to_string(d.size),
                            "the image is corrupt or was tampered with")
        .with_code(core::ErrorCode::kIntegrity);
  if (hash.hex_digest() != d.digest.hex())
    return core::make_error(path_, "blob " + d.digest.str() + " does not match its digest",
                            "the image is corrupt or was tampered with")
        .with_code(core::ErrorCode::kIntegrity);
  return core::Status::Ok();
}

core::Result<std::string> ImageReader::read_blob(const Descriptor& d, int64_t max_size) {
  if (d.size > max_size)
    return core::make_error(path_, "blob " + d.digest.str() + " is " + std::to_string(d.size) +
                                       " bytes, more than the " + std::to_string(max_size) +
                                       " allowed for it");
  std::string out;
  out.reserve(static_cast<size_t>(d.size));
  DISTILL_TRY(stream_blob(d, [&](std::string_view chunk) {
    out.append(chunk);
    return core::Status::Ok();
  }));
  return out;
}

core::Result<std::vector<PlatformImage>> ImageReader::images() {
  std::vector<PlatformImage> out;
  const Index& top = index();
  for (size_t i = 0; i < top.manifests.size(); ++i)
    DISTILL_TRY(collect(top.manifests[i], ref_names(i), 0, out));
  return out;
}

core::Status ImageReader::collect(const Descriptor& d, const std::vector<std::string>& refs,
                                  int depth, std::vector<PlatformImage>& out) {
  if (is_manifest_media_type(d.media_type)) {
    DISTILL_ASSIGN(PlatformImage image, load_image(d, refs));
    out.push_back(std::move(image));
    return core::Status::Ok();
  }
  if (!is_index_media_type(d.media_type)) return core::Status::Ok();  // e.g. an artifact
  if (depth >= limits_.max_index_depth)
    return core::make_error(path_, "image indexes are nested too deeply");
  DISTILL_ASSIGN(std::string text, read_blob(d, limits_.max_metadata_size));
  DISTILL_ASSIGN(Index nested, parse_index(text, d.digest.str()));
  for (const auto& m : nested.manifests) DISTILL_TRY(collect(m, refs, depth + 1, out));
  return core::Status::Ok();
}

core::Result<PlatformImage> ImageReader::load_image(const Descriptor& d,
                                                    std::vector<std::string> refs) {
  PlatformImage image;
  image.ref_names = std::move(refs);
  image.manifest_descriptor = d;
  DISTILL_ASSIGN(std::string text, read_blob(d, limits_.max_metadata_size));
  DISTILL_ASSIGN(image.manifest, parse_manifest(text, d.digest.str()));
  DISTILL_ASSIGN(image.config_json, read_blob(image.manifest.config, limits_.max_metadata_size));
  DISTILL_ASSIGN(image.config,
                 parse_image_config(image.config_json, image.manifest.config.digest.str()));
  if (image.config.diff_ids.size() != image.manifest.layers.size())
    return core::make_error(path_,
                            "manifest " + d.digest.str() + " has " +
                                std::to_string(image.manifest.layers.size()) +
                                " layers but its config lists " +
                                std::to_string(image.config.diff_ids.size()) + " diff_ids",
                            "the image is corrupt");
  return image;
}

}  // namespace distill::oci
