#include "runtime/init_program.hpp"

#include "core/process.hpp"

namespace distill::runtime {

#ifndef DISTILL_INIT_PATH
#define DISTILL_INIT_PATH ""
#endif

core::Result<std::string> find_init_program() {
  std::string path = core::find_companion_program("distill-init", DISTILL_INIT_PATH);
  if (!path.empty()) return path;
  return core::make_error("--init", "the distill-init program is not built or installed",
                          "build the distill-init target, or put distill-init next to distill");
}

}  // namespace distill::runtime
