#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "oci/digest.hpp"
#include "oci/manifest.hpp"
#include "trust/ec_key.hpp"
#include "trust/simple_signing.hpp"

namespace distill::trust {

// cosign's legacy signature tag for an image digest, which skopeo reads and
// writes too (`use-sigstore-attachments`): "sha256-<hex>.sig". (The
// referrers tag schema's "sha256-<hex>" has no suffix: the two never meet.)
std::string signature_tag(const oci::Digest& image);

// One signature: the payload and base64(ECDSA signature over it).
struct SignatureLayer {
  std::string payload;
  std::string signature_b64;
};

// What the `.sig` tag holds: an OCI image manifest whose layers are the
// signatures, and its config (an OCI image config whose rootfs lists each
// layer's digest, as containers/image writes it).
struct SignatureManifest {
  oci::Manifest manifest;
  std::string config;  // the config blob's JSON
};

// The manifest after adding `sig`: `existing` is what the tag holds, or
// nullopt for none. Earlier layers are kept, as cosign and skopeo keep them;
// a layer already there with the same payload and annotations is not added
// twice. Returns whether anything was added.
core::Result<bool> add_signature(std::optional<SignatureManifest>& existing,
                                 const SignatureLayer& sig);

// A signed payload for `image_name` ("HOST/REPO") at `digest`, signed by `key`.
core::Result<SignatureLayer> make_signature(const PrivateKey& key, std::string_view image_name,
                                            const oci::Digest& digest);

// The outcome of checking one layer of a `.sig` manifest: empty when the
// signature is valid, else one line naming the check that failed.
struct LayerCheck {
  std::string failure;
  SimpleSigningPayload payload;  // when the payload parsed
  bool ok() const { return failure.empty(); }
};

// Checks one signature layer whose blob is `blob`, in this order: the blob
// matches the layer's digest and size; it is a simple-signing layer with a
// base64 signature annotation; the ECDSA signature over the blob verifies
// with `key`; the payload parses; its digest is `image_digest`; its
// docker-reference names the repository `image_name` ("HOST/REPO"; a tag or
// digest in it is ignored, as skopeo's matchRepository does).
LayerCheck check_signature_layer(const oci::Descriptor& layer, std::string_view blob,
                                 const PublicKey& key, std::string_view image_name,
                                 const oci::Digest& image_digest);

// cosign's attestation tag for an image digest: "sha256-<hex>.att". Its
// manifest's layers are DSSE envelopes, one per predicate type.
std::string attestation_tag(const oci::Digest& image);

inline constexpr std::string_view kDsseEnvelopeMediaType = "application/vnd.dsse.envelope.v1+json";
// The layer annotation cosign writes with each attestation.
inline constexpr std::string_view kPredicateTypeAnnotation = "predicateType";

// The `.att` manifest after putting `envelope` (DSSE JSON) for
// `predicate_type`: `existing` is what the tag holds (nullopt: none); a
// layer of the same predicate type is replaced (as cosign's --replace),
// others kept; the config lists every layer's digest.
core::Result<SignatureManifest> put_attestation(const std::optional<oci::Manifest>& existing,
                                                std::string_view predicate_type,
                                                std::string_view envelope);

}  // namespace distill::trust
