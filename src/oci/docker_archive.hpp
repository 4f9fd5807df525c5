#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/image.hpp"

namespace distill::oci {

// Writes the tar that `docker save` writes and `docker load`, `podman load`
// and `skopeo copy docker-archive:` read (docs/image-format.md):
//   <layer-hex>/layer.tar   each layer blob exactly as stored (gzip or plain tar)
//   <config-hex>.json       the image config
//   manifest.json           [{"Config", "RepoTags", "Layers"}]
//   repositories            {"<repo>": {"<tag>": "<top layer-hex>"}} (when tagged)
// Entries are sorted, owned 0:0 with mtime = the config's created time, and
// the file appears only when complete (AtomicFile). The format holds one
// platform: more than one image is an error. zstd layers are refused because
// `docker load` reads only plain and gzip tars.
// `repo_tags` are "name[:tag]" (":latest" is added when no tag is given).
core::Status write_docker_archive(const std::string& path, const std::vector<Image>& images,
                                  const std::vector<std::string>& repo_tags);

// "app" -> "app:latest"; refuses digests, upper-case names and bad tags.
core::Result<std::string> normalize_repo_tag(std::string_view repo_tag);

}  // namespace distill::oci
