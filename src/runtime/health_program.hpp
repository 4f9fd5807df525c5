#pragma once

#include <string>

#include "core/result.hpp"

namespace distill::runtime {

// The static healthcheck checker (tools/health/health.c, CMake target
// `distill-health`) that `distill build` copies into images with an http or
// tcp healthcheck: the build's copy, else the one installed next to distill.
core::Result<std::string> find_health_program();

}  // namespace distill::runtime
