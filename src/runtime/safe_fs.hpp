#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace distill::runtime {

// Filesystem access confined to a root folder, for unpacking and reading
// images that may be hostile. Every path is relative to `root_fd` and walked
// one component at a time with O_NOFOLLOW: a symlink anywhere on the way is
// refused instead of followed, so no name can lead outside the root.

// Opens the folder `rel` ("" is the root itself). When `create` is set,
// missing folders are made (mode 0755, owned by whoever runs us).
core::Result<core::UniqueFd> open_dir_beneath(int root_fd, std::string_view rel, bool create);

// Reads the regular file `rel` (the last component must not be a symlink
// either); more than `max_bytes` is an error.
core::Result<std::string> read_file_beneath(int root_fd, std::string_view rel, size_t max_bytes);

// Removes `name` inside `dir_fd`, a folder with everything below it, without
// following symlinks. A missing name is not an error.
core::Status remove_at(int dir_fd, const std::string& name);

// "a/b/c" -> {"a/b", "c"}; "c" -> {"", "c"}.
std::pair<std::string_view, std::string_view> split_parent(std::string_view rel);

}  // namespace distill::runtime
