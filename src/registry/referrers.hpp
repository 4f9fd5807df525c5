#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "oci/digest.hpp"
#include "oci/manifest.hpp"
#include "registry/client.hpp"

namespace distill::registry {

// The OCI empty descriptor's content and media type (image-spec manifest.md):
// the config of an artifact manifest that has no config of its own.
inline constexpr std::string_view kMediaTypeEmptyJson = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view kEmptyJson = "{}";

// A file attached to an image: one layer blob in an OCI image manifest whose
// `artifactType` says what it is and whose `subject` names the image.
struct Artifact {
  std::string artifact_type;  // e.g. "application/spdx+json"
  std::string media_type;     // the blob's, usually the same
  std::string data;
  oci::Annotations annotations;  // of the manifest (and its referrers entry)
};

// The referrers tag schema's tag for `subject` (distribution-spec 1.1):
// "sha256-<hex>".
std::string referrers_tag(const oci::Digest& subject);

// The artifact's manifest (deterministic JSON), referring to `subject`.
core::Result<std::string> artifact_manifest_json(const Artifact& artifact,
                                                 const oci::Descriptor& subject);

// The referrers index after adding `entry` (the artifact manifest's
// descriptor, with its artifactType and annotations): `existing` is the
// index the referrers tag holds, or empty for none. Other entries are kept
// verbatim; an entry with the same digest is replaced.
core::Result<std::string> add_referrer(std::string_view existing, const oci::Descriptor& entry,
                                       std::string_view artifact_type, std::string_view where);

// Pushes `artifact` to `repo` as a referrer of `subject` (which must be in
// that repository): the empty config and the blob, then the manifest by
// digest, then the referrers tag's index with the manifest added. The tag is
// always maintained, so clients of registries with and without the referrers
// API (Docker Distribution 2.8 has none) both find the artifact. Returns the
// artifact manifest's descriptor.
core::Result<oci::Descriptor> push_referrer(Client& client, const std::string& repo,
                                            const oci::Descriptor& subject,
                                            const Artifact& artifact);

}  // namespace distill::registry
