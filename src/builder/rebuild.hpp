#pragma once

#include <string>

#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "debian/repository.hpp"
#include "oci/digest.hpp"
#include "sbom/intoto.hpp"

// `distill verify --rebuild` (docs/signing.md): the image built again from
// what its verified provenance pins, and its manifest digest compared.
namespace distill::builder {

struct RebuildRequest {
  std::string spec_path;  // --spec: its SHA-256 must be the provenance's
  std::string lock_path;  // --lock: its SHA-256 must be the provenance's
  bool allow_outside = false;
};

struct RebuildResult {
  oci::Digest rebuilt;  // the rebuilt platform manifest's digest
};

// Checks the spec, the lockfile and every file the spec copies against the
// provenance (name and SHA-256), then builds the spec from the lockfile for
// the provenance's architecture with its SOURCE_DATE_EPOCH, compression and
// variant into a temporary layout, every layer assembled from the .debs
// (no layer record reused: those are trusted as written, the .debs are
// verified on every read). Returns an error (ErrorCode::kPolicyFailed) of
// one line naming the first input that differs, or when the rebuilt
// manifest digest is not `image`.
core::Result<RebuildResult> rebuild_and_compare(const sbom::Statement& provenance,
                                                const oci::Digest& image, const Spec& spec,
                                                const RebuildRequest& request,
                                                debian::Repository& repo, cache::Cache& cache);

}  // namespace distill::builder
