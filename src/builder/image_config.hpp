#pragma once

#include <string>
#include <vector>

#include "builder/build_options.hpp"
#include "builder/preset.hpp"
#include "builder/spec.hpp"
#include "core/result.hpp"
#include "oci/image.hpp"

namespace distill::builder {

// The image's environment, sorted: PATH (with /busybox for debug images),
// SSL_CERT_FILE, then the preset's and the spec's variables, the spec winning.
std::vector<std::string> image_env(const Spec& spec, const Preset& preset);

// One layer of the image and what its history entry says of it.
struct ImageLayer {
  oci::LayerBlob blob;
  std::string name;     // a preset level, a source package, "other", "image" or "files"
  size_t packages = 0;  // the packages whose files it holds
};

// One architecture's image: config (user, env, entrypoint, ...), one history
// entry per layer, annotations and `layers` (bottom first).
core::Result<oci::Image> make_image(const Spec& spec, const Preset& preset, const std::string& arch,
                                    const BuildOptions& opts,
                                    const std::vector<ImageLayer>& layers);

}  // namespace distill::builder
