#pragma once

#include <string>

#include "core/process.hpp"
#include "core/result.hpp"
#include "runtime/runner.hpp"
#include "transport/open.hpp"

namespace distill::probe {

// Where the probe appears in the container: bind-mounted read-only for the
// container's lifetime, never written into the image or its bundle.
inline constexpr const char* kProbeMountPoint = "/.distill-probe";

struct ProbeRun {
  std::string image;     // reference as given
  std::string platform;  // "" picks as `distill run` does
  std::string probe;     // host path of the static probe binary
  std::string runc;      // runc to use
  transport::Options transport;
};

// Unpacks the image into a private bundle and runs the probe as its
// entrypoint, as the image's configured user, under `distill run`'s
// defaults (read-only root, no capabilities, no_new_privs, own network).
// Returns the probe's stdout; a non-zero exit is an error with its stderr.
core::Result<std::string> run_probe(const ProbeRun& run, runtime::RuncExecutor& executor);

}  // namespace distill::probe
