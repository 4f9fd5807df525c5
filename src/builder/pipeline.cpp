#include "builder/pipeline.hpp"

#include "builder/image_builder.hpp"
#include "core/file_util.hpp"
#include "sbom/sbom_attach.hpp"
#include "transport/copy.hpp"

namespace distill::builder {
namespace {

core::Result<transport::CopyResult> push_output(const std::string& output, const std::string& ref,
                                                transport::CopyOptions options,
                                                const cache::Cache& cache) {
  options.write.hints_path = transport::blob_hints_path(cache.root());
  return transport::copy_image(output, ref, options);
}

core::Status ship_output(const std::string& output, const ShipOptions& ship, cache::Cache& cache,
                         PipelineObserver& observer, PipelineReport& report) {
  std::vector<sbom::PlatformSbom> sboms;
  if (ship.sbom) {
    DISTILL_ASSIGN(sboms, sbom::render_platform_sboms(output, ship.sbom_format, &cache));
    DISTILL_ASSIGN(report.sbom_files, sbom::write_sboms_beside(sboms, output, ship.sbom_format));
    observer.sboms_written(report.sbom_files);
  }
  for (const auto& ref : ship.push) {
    PushReport push{ref, {}, {}};
    DISTILL_ASSIGN(push.copy, push_output(output, ref, ship.registry, cache));
    observer.pushed(push);
    if (!sboms.empty()) {
      // Attached per platform image, where scanners look for them.
      DISTILL_ASSIGN(push.attached,
                     sbom::attach_sboms(sboms, ship.sbom_format, ref, ship.registry.write.remote));
      observer.sboms_attached(push);
    }
    report.pushes.push_back(std::move(push));
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<PipelineReport> build_and_ship(const Spec& spec, BuildOptions options,
                                            const ShipOptions& ship_options,
                                            debian::Repository& repo, cache::Cache& cache,
                                            PipelineObserver* observer) {
  PipelineObserver none;
  PipelineObserver& obs = observer ? *observer : none;
  options.observer = &obs;
  PipelineReport report;
  DISTILL_ASSIGN(report.build, build_image(spec, options, repo, cache));
  if (!ship_options.report_path.empty())
    DISTILL_TRY(
        core::write_file_atomic(ship_options.report_path, to_json(report.build).dump(2) + "\n"));
  obs.built(report.build);
  DISTILL_TRY(ship_output(options.output, ship_options, cache, obs, report));
  return report;
}

}  // namespace distill::builder
