#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "oci/manifest.hpp"
#include "registry/client.hpp"

// The cosign tags beside an image (`sha256-<hex>.sig`, `sha256-<hex>.att`):
// OCI image manifests whose layers are small blobs, read and written here.
namespace distill::trust {

// A small blob read whole, at most `limit` bytes; the registry client checks
// it against its digest as it streams.
core::Result<std::string> fetch_small_blob(registry::Client& client, const std::string& repo,
                                           const oci::Descriptor& d, int64_t limit);

// Uploads `data` unless the repository has it already.
core::Status ensure_blob(registry::Client& client, const std::string& repo, std::string_view data);

// The OCI image manifest `tag` holds, or nullopt when the tag does not exist;
// anything but an OCI image manifest there is an error.
core::Result<std::optional<oci::Manifest>> fetch_tag_manifest(registry::Client& client,
                                                              const std::string& repo,
                                                              const std::string& tag);

}  // namespace distill::trust
