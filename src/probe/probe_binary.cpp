#include "probe/probe_binary.hpp"

#include "core/process.hpp"

namespace distill::probe {

#ifndef DISTILL_PROBE_PATH
#define DISTILL_PROBE_PATH ""
#endif

core::Result<std::string> find_probe_binary() {
  std::string path = core::find_companion_program("distill-probe", DISTILL_PROBE_PATH);
  if (!path.empty()) return path;
  return core::make_error("distill-probe", "the probe program is not built or installed",
                          "build the distill-probe target, or put distill-probe next to distill");
}

}  // namespace distill::probe
