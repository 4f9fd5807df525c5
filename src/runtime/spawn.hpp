#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.hpp"

namespace distill::runtime {

// How spawn_process sets up the child's standard streams and group.
struct SpawnOptions {
  bool null_stdin = true;  // stdin /dev/null; false: the child reads ours
  int output_fd = -1;      // stdout and stderr to this descriptor, else ours...
  std::string append_to;   // ...or appended to this file (created 0600, no symlink)
  // A process group of its own keeps a Ctrl-C at the terminal ours to
  // forward; a child that reads our terminal must stay in its foreground
  // group instead, or reading stops it with SIGTTIN.
  bool own_group = true;
};

// posix_spawn of argv[0] (a path, not searched) with no signal blocked and
// those distill handles (INT, TERM, HUP, PIPE, CHLD) back at their defaults:
// the helpers distill runs (runc, the health checker) start as from a shell.
core::Result<pid_t> spawn_process(const std::vector<std::string>& argv, const SpawnOptions& o);

}  // namespace distill::runtime
