#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/process.hpp"
#include "core/result.hpp"
#include "image/image_opener.hpp"
#include "probe/probe_report.hpp"
#include "runtime/runner.hpp"

namespace distill::probe {

// Where the probe appears in the container: bind-mounted read-only for the
// container's lifetime, never written into the image or its bundle.
inline constexpr const char* kProbeMountPoint = "/.distill-probe";

struct ProbeRun {
  std::string platform;  // "" picks as `distill run` does
  std::string probe;     // host path of the static probe binary
  std::string runc;      // runc to use
};

// Unpacks the image into a private bundle and runs the probe as its
// entrypoint, as the image's configured user, under `distill run`'s
// defaults (read-only root, no capabilities, no_new_privs, own network).
// Returns the probe's stdout; a non-zero exit is an error with its stderr.
core::Result<std::string> run_probe(image::ImageSource& source, const ProbeRun& run,
                                    runtime::RuncExecutor& executor);

// `distill probe`: checks for root, the probe binary and runc, then, with
// SIGINT, SIGTERM and SIGHUP held until the bundle is gone, opens the image
// and runs the probe in it. Returns its findings.
core::Result<std::vector<ProbeFinding>> probe_image(const image::ImageOpener& open,
                                                    std::string_view platform,
                                                    runtime::RuncExecutor& executor);

}  // namespace distill::probe
