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

// One architecture's image: config (user, env, entrypoint, ...), history,
// annotations and `layers` (OS layer first). `packages` counts the
// installed packages, for the history line.
core::Result<oci::Image> make_image(const Spec& spec, const Preset& preset, const std::string& arch,
                                    const BuildOptions& opts,
                                    const std::vector<oci::LayerBlob>& layers, size_t packages);

}  // namespace distill::builder
