#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "debian/lockfile.hpp"
#include "oci/digest.hpp"
#include "registry/remote.hpp"
#include "trust/ec_key.hpp"

// `distill attest` and the attestation half of `distill verify`
// (docs/attestations.md): statements about a registry image, DSSE-signed,
// attached beside it; checked offline from the public key.
namespace distill::sbom {

struct AttestOptions {
  std::string lock_path;  // "" : the provenance has no resolved dependencies
  std::string spec_path;  // "" : the provenance names no spec
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
  std::string image;     // "HOST/REPO@sha256:..."
  bool present = false;  // the `.att` tag exists
  int statements = 0;
  std::vector<AttestationFailure> failures;
  bool ok() const { return present && failures.empty(); }
};

// Reads the image's `.att` tag and checks every statement: the envelope's
// signature verifies with `key`; its subject is the image's manifest digest;
// the provenance's installed .debs are the SBOMs' packages; with a
// `lock_path` ("" for none), the provenance's .debs and indices are that
// lockfile's, digests included.
core::Result<AttestationCheck> verify_attestations(const std::string& reference,
                                                   const trust::PublicKey& key,
                                                   const std::string& lock_path,
                                                   const registry::RemoteOptions& remote);

}  // namespace distill::sbom
