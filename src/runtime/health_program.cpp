#include "runtime/health_program.hpp"

#include "core/process.hpp"

namespace distill::runtime {

#ifndef DISTILL_HEALTH_PATH
#define DISTILL_HEALTH_PATH ""
#endif

core::Result<std::string> find_health_program() {
  std::string path = core::find_companion_program("distill-health", DISTILL_HEALTH_PATH);
  if (!path.empty()) return path;
  return core::make_error("healthcheck", "the distill-health program is not built or installed",
                          "build the distill-health target, or put distill-health next to distill");
}

}  // namespace distill::runtime
