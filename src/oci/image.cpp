#include "oci/image.hpp"

#include "oci/media_types.hpp"

namespace distill::oci {

core::Result<ImageMetadata> image_metadata(const Image& image) {
  ImageConfig config = image.config;
  std::vector<Digest> diff_ids;
  for (const auto& l : image.layers) diff_ids.push_back(l.diff_id);
  if (config.diff_ids.empty()) {
    config.diff_ids = std::move(diff_ids);
  } else if (config.diff_ids != diff_ids) {
    return core::make_error("image " + config.platform.str(),
                            "config diff_ids do not match the layers",
                            "leave ImageConfig::diff_ids empty to take them from the layers");
  }
  ImageMetadata out;
  DISTILL_ASSIGN(out.config_json, image_config_json(config));
  out.config = describe(kMediaTypeConfig, out.config_json);
  Manifest m;
  m.config = out.config;
  for (const auto& l : image.layers) {
    Descriptor d;
    d.media_type = l.media_type;
    d.digest = l.digest;
    d.size = l.size;
    m.layers.push_back(std::move(d));
  }
  m.annotations = image.annotations;
  DISTILL_ASSIGN(out.manifest_json, manifest_json(m));
  out.manifest = describe(kMediaTypeManifest, out.manifest_json);
  out.manifest.platform = config.platform;
  return out;
}

}  // namespace distill::oci
