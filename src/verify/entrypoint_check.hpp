#pragma once

#include <cstdint>
#include <string>

#include "core/result.hpp"
#include "image/rootfs_view.hpp"

namespace distill::verify {

// What a container runtime is asked to start: the program (entrypoint[0], or
// cmd[0] without an entrypoint), the image's PATH and working folder, and
// the user it runs as.
struct EntrypointQuery {
  std::string program;
  std::string path_env;  // the image's PATH; empty: oci::kDefaultPath
  std::string workdir;   // empty: "/"
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;  // for messages: "app", "65532"
};

// The image path `q.program` starts, found as runc finds it: a name without
// '/' through PATH (the first regular file with an x bit; an empty PATH
// entry is the working folder), else relative to the working folder;
// symlinks followed inside the image. Then it must be executable by the
// user: owner bits for its uid, group bits for its gid, else the others'
// bits; root needs any x bit. An error's `what` says which rule failed
// (its `where` is empty: the caller names the spec line).
core::Result<std::string> resolve_entrypoint(const image::RootfsView& fs, const EntrypointQuery& q);

}  // namespace distill::verify
