#pragma once

#include <string>

#include "core/result.hpp"

namespace distill::runtime {

// Where `--init` mounts distill-init in the container (read-only, never part
// of the image).
inline constexpr const char* kInitMountPoint = "/.distill-init";

// The static distill-init program (tools/init/init.c): the build's copy, else
// the one installed next to distill.
core::Result<std::string> find_init_program();

}  // namespace distill::runtime
