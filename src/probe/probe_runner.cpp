#include "probe/probe_runner.hpp"

#include <fmt/format.h>

#include "runtime/bundle.hpp"
#include "runtime/launch.hpp"
#include "runtime/runtime_spec.hpp"

namespace distill::probe {

core::Result<std::string> run_probe(const ProbeRun& run, runtime::RuncExecutor& executor) {
  DISTILL_ASSIGN(runtime::OpenedImage opened,
                 runtime::open_one_image(run.image, run.platform, run.transport));
  const oci::PlatformImage& img = *opened.image;
  DISTILL_ASSIGN(runtime::Bundle bundle, runtime::Bundle::unpack(opened.source->reader(), img));
  runtime::RunOptions options;
  options.entrypoint = std::vector<std::string>{kProbeMountPoint};
  options.args = std::vector<std::string>{};
  options.mounts.push_back({run.probe, kProbeMountPoint, true});
  auto spec = runtime::bundle_spec_json(bundle, img.config.config, options);
  if (!spec.ok()) return spec.error().with_where(run.image);
  DISTILL_TRY(bundle.write_config(*spec));
  runtime::ContainerRunner runner(executor, run.runc);
  DISTILL_ASSIGN(core::ProcessResult r, runner.run_captured(bundle.path()));
  if (r.exit_code != 0)
    return core::make_error(
        run.image, fmt::format("the probe exited with {}: {}", r.exit_code, r.err.substr(0, 2000)),
        "run the image with `distill run` to see why it does not start");
  return std::move(r.out);
}

}  // namespace distill::probe
