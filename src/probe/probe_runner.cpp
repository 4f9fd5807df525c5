#include "probe/probe_runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "probe/probe_binary.hpp"
#include "runtime/container.hpp"
#include "runtime/launch.hpp"
#include "runtime/runtime_spec.hpp"

namespace distill::probe {

core::Result<std::string> run_probe(image::ImageSource& source, const ProbeRun& run,
                                    runtime::RuncExecutor& executor) {
  const std::string& where = source.name().text;
  DISTILL_ASSIGN(const oci::PlatformImage* img, runtime::select_one_image(source, run.platform));
  DISTILL_ASSIGN(runtime::Container container,
                 runtime::Container::unpack(source.reader(), *img, executor, run.runc, where,
                                            runtime::cached_bundle()));
  runtime::RunOptions options;
  options.entrypoint = std::vector<std::string>{kProbeMountPoint};
  options.args = std::vector<std::string>{};
  options.mounts.push_back({run.probe, kProbeMountPoint, true});
  DISTILL_ASSIGN(core::ProcessResult r, container.run_captured(options));
  if (r.exit_code != 0)
    return core::make_error(
        where, fmt::format("the probe exited with {}: {}", r.exit_code, r.err.substr(0, 2000)),
        "run the image with `distill run` to see why it does not start");
  return std::move(r.out);
}

core::Result<std::vector<ProbeFinding>> probe_image(const image::ImageOpener& open,
                                                    std::string_view platform,
                                                    runtime::RuncExecutor& executor) {
  if (::geteuid() != 0)
    return core::make_error("probe", "needs root",
                            "runc applies the image's file owners and namespaces; use sudo");
  ProbeRun run{std::string(platform), {}, {}};
  DISTILL_ASSIGN(run.probe, find_probe_binary());
  DISTILL_ASSIGN(run.runc, runtime::find_runc());
  std::string output;
  std::string where;
  {
    // Held until the bundle is gone: a Ctrl-C is handled, never fatal.
    runtime::SignalBlock block;
    DISTILL_ASSIGN(auto source, open());
    where = source->name().text;
    DISTILL_ASSIGN(output, run_probe(*source, run, executor));
  }
  return parse_probe_output(output, where);
}

}  // namespace distill::probe
