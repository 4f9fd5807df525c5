#include "builder/provenance_inputs.hpp"

#include <algorithm>

#include "builder/app_files.hpp"
#include "core/sha256.hpp"
#include "oci/entry_content.hpp"
#include "sbom/attestation.hpp"

namespace distill::builder {

core::Result<std::vector<sbom::ResourceDescriptor>> file_dependencies(const Spec& spec) {
  DISTILL_ASSIGN(std::vector<oci::FsEntry> entries, app_file_entries(spec));
  std::vector<sbom::ResourceDescriptor> out;
  for (const oci::FsEntry& e : entries) {
    if (e.type != oci::EntryType::kRegular) continue;
    DISTILL_ASSIGN(std::string sha, oci::content_sha256(e));
    out.push_back({"/" + e.path,
                   "",
                   {{"sha256", sha}},
                   {{std::string(sbom::kDependencyUseAnnotation), std::string(sbom::kFileUse)}}});
  }
  // Sorted by path, so the provenance does not depend on the spec's order.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

core::Result<sbom::AttestResult> attest_spec_image(const std::string& reference,
                                                   const trust::PrivateKey& key,
                                                   const AttestRequest& request,
                                                   const registry::RemoteOptions& remote) {
  sbom::AttestOptions options;
  options.spec_path = request.spec_path;
  options.lock_path = request.lock_path;
  options.debug = request.debug;
  if (!request.spec_path.empty()) {
    DISTILL_ASSIGN(Spec spec, load_spec(request.spec_path));
    DISTILL_TRY(check_file_sources(spec, request.allow_outside));
    DISTILL_ASSIGN(options.files, file_dependencies(spec));
  }
  return sbom::attest_image(reference, key, options, remote);
}

}  // namespace distill::builder
