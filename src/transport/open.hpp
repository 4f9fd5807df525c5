#pragma once

#include <memory>
#include <string_view>

#include "core/result.hpp"
#include "image/image_source.hpp"
#include "oci/image_reader.hpp"
#include "registry/remote.hpp"
#include "transport/image_ref.hpp"

namespace distill::transport {

// How to reach an image: the same for every command that reads or writes one.
struct Options {
  registry::RemoteOptions remote;  // --insecure, --ca-cert, credentials
  oci::ReaderLimits limits;
};

// The source for a parsed reference: an OCI layout, a docker-archive or a
// registry, connected with `options`.
core::Result<std::unique_ptr<oci::ImageReader>> open_reader(const ImageRef& ref,
                                                            const Options& options);

// Parses `text` (image_ref.hpp), opens its source and selects what it names.
core::Result<std::unique_ptr<image::ImageSource>> open_image(std::string_view text,
                                                             const Options& options = {});

}  // namespace distill::transport
