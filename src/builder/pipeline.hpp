#pragma once

#include <memory>
#include <string>
#include <vector>

#include "builder/build_observer.hpp"
#include "builder/build_options.hpp"
#include "builder/build_report.hpp"
#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "debian/repository.hpp"
#include "oci/manifest.hpp"
#include "sbom/sbom_file.hpp"
#include "transport/copy.hpp"
#include "trust/ec_key.hpp"

namespace distill::builder {

// What happens to a built image: SBOMs beside it, pushes (`distill build
// --sbom --push`).
struct ShipOptions {
  bool sbom = false;
  sbom::SbomFormat sbom_format = sbom::SbomFormat::kSpdxJson;
  std::vector<std::string> push;    // registry references
  transport::CopyOptions registry;  // write.hints_path is set from the cache
  std::string report_path;          // `--report FILE`: the build report as JSON
  // `--sign-key`: each push is signed (cosign's .sig tag) and each pushed
  // platform image attested (provenance from spec_path and lock_path, SBOMs).
  std::shared_ptr<const trust::PrivateKey> sign_key;
  std::string spec_path;
  std::string lock_path;
  bool allow_outside = false;
  bool debug = false;
};

struct PushReport {
  std::string ref;
  transport::CopyResult copy;
  std::vector<oci::Descriptor> attached;  // SBOM artifacts, one per platform image
  std::string signature_ref;              // "HOST/REPO:sha256-<hex>.sig" when signed
  std::vector<std::string> attestations;  // attest_image's lines, every platform image
};

struct PipelineReport {
  BuildReport build;
  std::vector<std::string> sbom_files;
  std::vector<PushReport> pushes;
};

// Told of each stage as it ends, so a front end shows it even when a later
// stage fails.
class PipelineObserver : public BuildObserver {
 public:
  // build_and_ship_all: the next of several images starts.
  virtual void starting(const std::string& /*spec_path*/, const BuildOptions& /*options*/) {}
  virtual void built(const BuildReport& /*report*/) {}
  virtual void sboms_written(const std::vector<std::string>& /*paths*/) {}
  virtual void pushed(const PushReport& /*push*/) {}          // the image, before its SBOMs
  virtual void sboms_attached(const PushReport& /*push*/) {}  // push.attached filled
  virtual void signed_push(const PushReport& /*push*/) {}     // signature_ref, attestations filled
};

// build_image, then the SBOMs of the written image (one per platform, beside
// it) and the pushes, each push followed by attaching the SBOMs.
core::Result<PipelineReport> build_and_ship(const Spec& spec, BuildOptions options,
                                            const ShipOptions& ship, debian::Repository& repo,
                                            cache::Cache& cache,
                                            PipelineObserver* observer = nullptr);

}  // namespace distill::builder
