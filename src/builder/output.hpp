#pragma once

#include <vector>

#include "builder/build_options.hpp"
#include "builder/build_report.hpp"
#include "core/result.hpp"
#include "oci/image.hpp"

namespace distill::builder {

// Writes the images to opts.output, an OCI layout (an index when several)
// or a docker-archive, tagged with opts.tags; fills the report's digests.
core::Status write_output(const BuildOptions& opts, const std::vector<oci::Image>& images,
                          BuildReport& report);

}  // namespace distill::builder
