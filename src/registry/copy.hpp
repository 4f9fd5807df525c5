#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "image/image_source.hpp"
#include "registry/remote.hpp"

namespace distill::registry {

struct CopyOptions {
  RemoteOptions remote;
  std::string platform;  // "os/arch[/variant]": copy only that image of an index
  std::string format;    // local destination: "oci", "docker" or empty (from the text)
  int parallel = 4;
  std::string hints_path;          // BlobHints file; empty: none
  bool local_destination = false;  // `pull -o`: never read the destination as a reference
  bool progress = false;           // progress bars on stderr (a terminal, not -q)
};

struct CopyResult {
  std::string destination;  // the reference or path as given
  oci::Descriptor top;      // what was written or pushed
  int uploaded = 0, mounted = 0, skipped = 0;
};

// An image source from a local path (see image::parse_image_ref) or, when no
// such path exists and the text has a registry host, a registry reference.
core::Result<std::unique_ptr<image::ImageSource>> open_source(std::string_view text,
                                                              const RemoteOptions& options);

// Copies one image (an index with all its platforms, or what --platform
// selects) from `src` to `dst`. Each side is an OCI layout (DIR, oci:DIR[:TAG]),
// a docker-archive (docker-archive:FILE[:NAME:TAG], or any path with
// format "docker") or a registry reference. Nothing is left at a local
// destination on failure; a registry gets its tag last.
core::Result<CopyResult> copy_image(std::string_view src, std::string_view dst,
                                    const CopyOptions& options);

}  // namespace distill::registry
