#pragma once

#include <string>

#include "core/result.hpp"

namespace distill::probe {

// The static probe program (tools/probe/probe.c): the path the build baked
// in when that file exists, else "distill-probe" next to this executable
// (an installed copy). An error saying how to build it otherwise.
core::Result<std::string> find_probe_binary();

}  // namespace distill::probe
