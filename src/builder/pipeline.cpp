#include "builder/pipeline.hpp"

#include "builder/image_builder.hpp"
#include "builder/provenance_inputs.hpp"
#include "core/file_util.hpp"
#include "oci/media_types.hpp"
#include "registry/reference.hpp"
#include "sbom/sbom_attach.hpp"
#include "transport/copy.hpp"
#include "transport/open.hpp"
#include "trust/image_signing.hpp"

namespace distill::builder {
namespace {

core::Result<transport::CopyResult> push_output(const std::string& output, const std::string& ref,
                                                transport::CopyOptions options,
                                                const cache::Cache& cache) {
  options.write.hints_path = transport::blob_hints_path(cache.root());
  return transport::copy_image(output, ref, options);
}

// `--sign-key`: the pushed top signed where it now is (by digest, so a tag
// moved meanwhile is not what gets signed), then each platform image attested.
core::Status sign_push(const ShipOptions& ship, PushReport& push) {
  DISTILL_ASSIGN(registry::Reference ref, registry::parse_reference(push.ref));
  const std::string pinned = ref.name() + "@" + push.copy.top.digest.str();
  const registry::RemoteOptions& remote = ship.registry.write.remote;
  DISTILL_ASSIGN(trust::SignResult signed_top, trust::sign_image(pinned, *ship.sign_key, remote));
  push.signature_ref = signed_top.signature_ref;
  std::vector<oci::Digest> platforms;
  if (oci::is_index_media_type(push.copy.top.media_type)) {
    transport::Options topts;
    topts.remote = remote;
    DISTILL_ASSIGN(auto source, transport::open_image(pinned, topts));
    for (const auto& image : source->images())
      platforms.push_back(image.manifest_descriptor.digest);
  } else {
    platforms.push_back(push.copy.top.digest);
  }
  AttestRequest request{ship.spec_path, ship.lock_path, ship.allow_outside, ship.debug};
  for (const oci::Digest& d : platforms) {
    DISTILL_ASSIGN(sbom::AttestResult r,
                   attest_spec_image(ref.name() + "@" + d.str(), *ship.sign_key, request, remote));
    for (std::string& line : r.lines) push.attestations.push_back(std::move(line));
  }
  return core::Status::Ok();
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
    PushReport push;
    push.ref = ref;
    DISTILL_ASSIGN(push.copy, push_output(output, ref, ship.registry, cache));
    observer.pushed(push);
    if (!sboms.empty()) {
      // Attached per platform image, where scanners look for them.
      DISTILL_ASSIGN(push.attached,
                     sbom::attach_sboms(sboms, ship.sbom_format, ref, ship.registry.write.remote));
      observer.sboms_attached(push);
    }
    if (ship.sign_key) {
      DISTILL_TRY(sign_push(ship, push));
      observer.signed_push(push);
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
