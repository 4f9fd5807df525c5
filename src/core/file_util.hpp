#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::core {

Result<std::string> read_file(const std::string& path);
// Writes through AtomicFile: readers see the old content or the new, never half.
Status write_file_atomic(const std::string& path, std::string_view data, int mode = 0644);
// Streams the file at `path` to `sink` in bounded chunks.
Status read_file_chunks(const std::string& path,
                        const std::function<Status(std::string_view)>& sink);
// Streams `from` into a new file at `to`, written as write_file_atomic does.
Status copy_file_atomic(const std::string& from, const std::string& to, int mode = 0644);
Status make_dirs(const std::string& path, int mode = 0755);
bool path_exists(const std::string& path);

// The absolute path of the object lstat(path) describes, every symlink on the
// way to it resolved (realpath(3) of its folder): a last component that is a
// symlink stays the link itself, as lstat leaves it, unless `path` ends in
// '/', "." or "..", which lstat follows too.
Result<std::string> resolve_path(const std::string& path);

// Whether `path` is `dir` or below it; both absolute, without ".", ".." or
// symlinks, as resolve_path returns them.
bool path_is_within(std::string_view path, std::string_view dir);

// "./a//b/" -> {"a", "b"}: the components of a '/'-separated path, without
// the empty and "." ones. ".." is kept for the caller to judge.
std::vector<std::string_view> path_components(std::string_view path);

// "./a//b/" -> "a/b": empty and "." components dropped, no leading or trailing
// '/'. nullopt when a component is "..": archive member names are never
// resolved upwards, so such a name is refused rather than interpreted.
std::optional<std::string> normalize_relative_path(std::string_view path);

}  // namespace distill::core
