#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "image/image_source.hpp"
#include "runtime/bundle.hpp"
#include "runtime/runtime_spec.hpp"

namespace distill::runtime {

// One image of an opened reference: the one `platform` ("os/arch[/variant]")
// selects, else the only one, else the host's platform among several.
core::Result<const oci::PlatformImage*> select_one_image(image::ImageSource& source,
                                                         std::string_view platform);

// config.json for running `bundle` (unpacked from an image with `config`):
// the user (options.user, else the image's) resolved against the bundle's
// own /etc/passwd and /etc/group, read without following symlinks.
core::Result<std::string> bundle_spec_json(const Bundle& bundle, const oci::ContainerConfig& config,
                                           const RunOptions& options);

}  // namespace distill::runtime
