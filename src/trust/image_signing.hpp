#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "oci/digest.hpp"
#include "registry/reference.hpp"
#include "registry/remote.hpp"
#include "trust/ec_key.hpp"

namespace distill::trust {

// An image in a registry as signing and attesting see it: its reference, a
// connection, and its manifest's digest computed from the bytes fetched.
struct ImageTarget {
  registry::Reference ref;
  std::unique_ptr<registry::Remote> conn;
  oci::Digest digest;
  std::string media_type;  // the manifest's
  int64_t size = 0;        // the manifest's
};

// Fetches the manifest `reference` names (a tag resolved once, a digest as
// given).
core::Result<ImageTarget> resolve_image(const std::string& reference,
                                        const registry::RemoteOptions& remote);

struct SignResult {
  std::string image;          // "HOST/REPO@sha256:..."
  std::string signature_ref;  // "HOST/REPO:sha256-<hex>.sig"
  int signatures = 0;         // layers the .sig manifest holds now
  bool added = true;          // false: this very signature was there already
};

// `distill sign`: signs the manifest `reference` (HOST/REPO[:TAG][@DIGEST])
// names as it is now (a tag is resolved once; a digest is used as given) and
// adds the signature to its `.sig` tag in the same repository, keeping the
// signatures already there. The payload names the repository, "HOST/REPO",
// as cosign's does. Nothing is logged to a transparency log.
core::Result<SignResult> sign_image(const std::string& reference, const PrivateKey& key,
                                    const registry::RemoteOptions& remote);

struct VerifyResult {
  std::string image;  // "HOST/REPO@sha256:..."
  oci::Digest digest;
  int signatures = 0;           // layers of the .sig manifest
  int valid = 0;                // 1-based index of the first valid one; 0: none
  std::string signed_identity;  // the valid one's docker-reference
  // One line per signature that failed ("signature 2: ..."), or "no signature".
  std::vector<std::string> failures;
  bool ok() const { return valid > 0; }
};

// `distill verify`: the image's digest (a tag resolved, a digest as given),
// its `.sig` manifest, and each signature layer through
// check_signature_layer until one is valid. Registry failures are errors; a
// signature that does not verify is a line in `failures`.
core::Result<VerifyResult> verify_image_signature(const std::string& reference,
                                                  const PublicKey& key,
                                                  const registry::RemoteOptions& remote);

// For `pull --verify-key`: the reference pinned to the digest whose
// signature verified ("HOST/REPO[:TAG]@sha256:..."), so what is copied is
// what was verified even if the tag moves meanwhile. No valid signature: an
// error (ErrorCode::kPolicyFailed) whose one line joins the failures.
core::Result<std::string> require_signature(const std::string& reference,
                                            const std::string& public_key_file,
                                            const registry::RemoteOptions& remote);

// Reads a public key file ("PUBLIC KEY" PEM).
core::Result<PublicKey> read_public_key_file(const std::string& path);

}  // namespace distill::trust
