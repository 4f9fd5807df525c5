#pragma once

#include <vector>

#include "builder/spec.hpp"
#include "core/result.hpp"
#include "oci/fs_entry.hpp"

namespace distill::builder {

// The layer entries for the spec's `files`: a folder's contents are copied
// under dst, a file becomes dst (or dst/<name> when dst ends in '/'). Files
// and folders keep their host permissions without the write bits for group
// and others (& 0755): what the host withholds stays withheld in the image,
// and a loose umask adds nothing; a file's `mode` replaces them. Symlinks are
// kept as symlinks; anything else (device, FIFO, socket) is an error.
core::Result<std::vector<oci::FsEntry>> app_file_entries(const std::vector<FileSpec>& files);

// Every `src` must resolve, symlinks followed as reading it follows them,
// inside the spec's folder unless `allow_outside` (`--allow-outside`): a
// spec is often someone else's, and must not copy the host's secrets
// (`src: /etc/shadow`, `../`, a symlink out of the tree) into an image.
core::Status check_file_sources(const Spec& spec, bool allow_outside);

}  // namespace distill::builder
