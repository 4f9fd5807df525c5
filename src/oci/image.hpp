#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "oci/image_config.hpp"
#include "oci/layer_writer.hpp"
#include "oci/manifest.hpp"

namespace distill::oci {

// One platform's image before it is written: config, layer blobs on disk,
// manifest annotations.
struct Image {
  ImageConfig config;  // diff_ids may be left empty: they are taken from `layers`
  std::vector<LayerBlob> layers;
  Annotations annotations;
};

// The JSON blobs that describe an Image, and their descriptors.
struct ImageMetadata {
  std::string config_json;
  Descriptor config;
  std::string manifest_json;
  Descriptor manifest;  // platform set from the config
};

// Serialises config and manifest. Refuses an image whose config lists
// diff_ids other than its layers'.
core::Result<ImageMetadata> image_metadata(const Image& image);

}  // namespace distill::oci
