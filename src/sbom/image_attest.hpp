#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "debian/lockfile.hpp"
#include "oci/digest.hpp"
#include "registry/client.hpp"
#include "registry/remote.hpp"
#include "sbom/intoto.hpp"
#include "trust/ec_key.hpp"

// `distill attest` and the attestation half of `distill verify`
// (docs/attestations.md): statements about a registry image, DSSE-signed,
// attached beside it; checked offline from the public key.
namespace distill::sbom {

struct AttestOptions {
  std::string lock_path;  // "" : the provenance has no resolved dependencies
  std::string spec_path;  // "" : the provenance names no spec
  bool debug = false;     // the image is the spec's debug variant
  // The spec's files as resolved dependencies (builder::file_dependencies).
  std::vector<ResourceDescriptor> files;
};

struct AttestResult {
  std::string image;               // "HOST/REPO@sha256:..."
  std::vector<std::string> lines;  // one per statement: "<predicateType> <where>"
};

// Builds the SLSA provenance and the SPDX and CycloneDX statements of the
// platform image `reference` names, signs each (DSSE) with `key`, pushes each
// envelope as an OCI referrer of the image and puts it in cosign's
// `sha256-<hex>.att` tag (a statement of the same type there is replaced).
core::Result<AttestResult> attest_image(const std::string& reference, const trust::PrivateKey& key,
                                        const AttestOptions& options,
                                        const registry::RemoteOptions& remote);

// One failed check: where (e.g. "attestation 2 (https://slsa.dev/provenance/v1)"),
// what, and a hint.
struct AttestationFailure {
  std::string where;
  std::string what;
  std::string hint;
};

struct AttestationCheck {
  std::string image;                 // "HOST/REPO@sha256:..."
  bool present = false;              // the `.att` tag or a referrer holds an envelope
  int statements = 0;                // distinct statements checked
  std::vector<std::string> sources;  // ".att tag", "referrers API", "referrers tag sha256-<hex>"
  // The first signed provenance that passed every check (the `.att` tag's
  // when it has one); nullopt when a check failed.
  std::optional<Statement> provenance;
  std::vector<AttestationFailure> failures;
  bool ok() const { return present && failures.empty(); }
};

// Finds the image's statements in cosign's `.att` tag and among its
// referrers (the referrers API, or the referrers tag schema's index where
// the registry has no API), and checks every one found: the envelope's
// signature verifies with `key`; its subject is the image's manifest digest;
// the provenance's installed .debs are the SBOMs' packages; with a
// `lock_path` ("" for none), the provenance's .debs and indices are that
// lockfile's, digests included.
core::Result<AttestationCheck> verify_attestations(const std::string& reference,
                                                   const trust::PublicKey& key,
                                                   const std::string& lock_path,
                                                   const registry::RemoteOptions& remote);

// The same checks on the image `image` of `repo` through `client`;
// `image_name` ("HOST/REPO@sha256:...") names it in lines.
core::Result<AttestationCheck> check_attestations(registry::Client& client, const std::string& repo,
                                                  const std::string& image_name,
                                                  const oci::Digest& image,
                                                  const trust::PublicKey& key,
                                                  const debian::Lockfile* lock);

}  // namespace distill::sbom
