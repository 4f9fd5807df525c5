#include "probe/probe_binary.hpp"

#include <unistd.h>

#include <filesystem>

#include "core/file_util.hpp"

namespace distill::probe {

#ifndef DISTILL_PROBE_PATH
#define DISTILL_PROBE_PATH ""
#endif

core::Result<std::string> find_probe_binary() {
  std::string baked = DISTILL_PROBE_PATH;
  if (!baked.empty() && ::access(baked.c_str(), X_OK) == 0) return baked;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    std::string next = (self.parent_path() / "distill-probe").string();
    if (::access(next.c_str(), X_OK) == 0) return next;
  }
  return core::make_error("distill-probe", "the probe program is not built or installed",
                          "build the distill-probe target, or put distill-probe next to distill");
}

}  // namespace distill::probe
