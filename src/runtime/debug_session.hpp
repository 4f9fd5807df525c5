#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "image/image_opener.hpp"
#include "runtime/runner.hpp"
#include "runtime/state_store.hpp"

namespace distill::runtime {

// `distill debug`'s options (docs/run.md).
struct DebugRequest {
  std::string target;                // a container of `distill ps`, else an image reference
  std::vector<std::string> command;  // run in the toolbox; default: its entrypoint and cmd
  std::string platform;              // an image target's
};

// What the toolbox may do besides what root without capabilities may: read
// the target's files and memory, and signal it (docker debug's reach).
extern const std::vector<std::string> kToolboxCapabilities;

// `distill debug`: a toolbox container (from `open_toolbox`) started next
// to the target's process 1, in its pid, network, ipc and uts namespaces,
// as root with kToolboxCapabilities, stdin attached and a terminal when
// ours is one. Its own read-only root: the target's files are under
// /proc/1/root, and the target is never changed. A target that is not a
// running container is an image (`open_target`): it is started detached
// for the session and stopped and removed afterwards. Returns the
// toolbox's exit code.
core::Result<int> debug_container(const DebugRequest& request,
                                  const image::ImageOpener& open_target,
                                  const image::ImageOpener& open_toolbox, RuncExecutor& executor,
                                  const StateStore& store);

}  // namespace distill::runtime
