#pragma once

#include <functional>
#include <memory>

#include "core/result.hpp"
#include "image/image_source.hpp"

namespace distill::image {

// Opens the image a pipeline works on, called by the pipeline once its
// cheaper checks (options, files, a database, root) have passed, so those
// fail first and the image, maybe remote, is opened only when needed. The
// caller decides how: ImageSource::open, or a registry with its own options.
using ImageOpener = std::function<core::Result<std::unique_ptr<ImageSource>>()>;

}  // namespace distill::image
