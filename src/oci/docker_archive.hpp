#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/image.hpp"
#include "oci/image_reader.hpp"
#include "oci/manifest.hpp"

namespace distill::oci {

// Writes the tar that `docker save` writes and `docker load`, `podman load`
// and `skopeo copy docker-archive:` read (docs/image-format.md): the sink for
// one platform's image `manifest` of any source.
//   <layer-hex>/layer.tar   each layer blob exactly as stored (gzip or plain tar)
//   <config-hex>.json       the image config
//   manifest.json           [{"Config", "RepoTags", "Layers"}]
//   repositories            {"<repo>": {"<tag>": "<top layer-hex>"}} (when tagged)
// Entries are sorted, owned 0:0 with mtime = the config's created time, and
// the file appears only when complete and every blob verified (AtomicFile).
// The format holds one platform: an image index is an error. zstd layers are
// refused because `docker load` reads only plain and gzip tars.
// `repo_tags` are "name[:tag]" (":latest" is added when no tag is given).
core::Status write_docker_archive(ImageReader& src, const Descriptor& manifest,
                                  const std::string& path,
                                  const std::vector<std::string>& repo_tags);

// The same for images made in memory (build, import): exactly one image.
core::Status write_docker_archive(const std::string& path, const std::vector<Image>& images,
                                  const std::vector<std::string>& repo_tags);

// "app" -> "app:latest"; refuses digests, upper-case names and bad tags.
core::Result<std::string> normalize_repo_tag(std::string_view repo_tag);

}  // namespace distill::oci
