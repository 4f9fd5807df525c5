#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::core {

Result<std::string> read_file(const std::string& path);
// Writes through AtomicFile: readers see the old content or the new, never half.
Status write_file_atomic(const std::string& path, std::string_view data, int mode = 0644);
Status make_dirs(const std::string& path, int mode = 0755);
bool path_exists(const std::string& path);

// "./a//b/" -> {"a", "b"}: the components of a '/'-separated path, without
// the empty and "." ones. ".." is kept for the caller to judge.
std::vector<std::string_view> path_components(std::string_view path);

// "./a//b/" -> "a/b": empty and "." components dropped, no leading or trailing
// '/'. nullopt when a component is "..": archive member names are never
// resolved upwards, so such a name is refused rather than interpreted.
std::optional<std::string> normalize_relative_path(std::string_view path);

}  // namespace distill::core
