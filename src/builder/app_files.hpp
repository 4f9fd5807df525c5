#pragma once

#include <vector>

#include "builder/spec.hpp"
#include "core/result.hpp"
#include "oci/fs_entry.hpp"

namespace distill::builder {

// The layer entries for the spec's `files`: a folder's contents are copied
// under dst, a file becomes dst (or dst/<name> when dst ends in '/'). Modes
// default to 0755 for host-executable files and folders, else 0644, so the
// host's umask never leaks in; symlinks are kept as symlinks; anything else
// (device, FIFO, socket) is an error.
core::Result<std::vector<oci::FsEntry>> app_file_entries(const std::vector<FileSpec>& files);

}  // namespace distill::builder
