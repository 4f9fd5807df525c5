#pragma once

#include <string>
#include <vector>

#include "builder/spec.hpp"
#include "core/result.hpp"
#include "registry/remote.hpp"
#include "sbom/image_attest.hpp"
#include "sbom/intoto.hpp"
#include "trust/ec_key.hpp"

// What a provenance records of a spec's own inputs, and `distill attest`
// with them (docs/attestations.md): sbom/ makes the statements but cannot
// read a spec, so the spec's files are digested here.
namespace distill::builder {

// The spec's `files` as resolved dependencies: one per regular file the
// application layer holds (a folder contributes each file it copies, after
// the excludes), named by its path in the image ("/app/main.py"), with the
// SHA-256 of its content and the annotation distill.use=file. Symlinks and
// hard links add no content of their own and are not listed.
core::Result<std::vector<sbom::ResourceDescriptor>> file_dependencies(const Spec& spec);

// `distill attest` with a spec: its files checked (as a build checks them,
// `allow_outside` as --allow-outside) and digested into the provenance.
struct AttestRequest {
  std::string spec_path;  // "" : the provenance names no spec and no files
  std::string lock_path;  // "" : no resolved .debs
  bool allow_outside = false;
  bool debug = false;  // the image is the spec's debug variant (build --debug)
};
core::Result<sbom::AttestResult> attest_spec_image(const std::string& reference,
                                                   const trust::PrivateKey& key,
                                                   const AttestRequest& request,
                                                   const registry::RemoteOptions& remote);

}  // namespace distill::builder
