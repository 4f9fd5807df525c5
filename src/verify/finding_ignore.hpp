#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::verify {

// One acknowledged finding, as `distill lint --ignore` and the spec's
// `elf_check.ignore` take it (docs/lint.md): "ID" (every finding of that
// check), "/path" (every finding on that file; "/folder/" covers what is
// under it) or "ID:/path" (both must match).
struct FindingIgnore {
  std::string id;    // a lint check id; empty: any check
  std::string path;  // an image path with its leading '/'; empty: any path

  // `path` as findings carry it, with its leading '/' ("" for the config).
  bool matches(std::string_view finding_id, std::string_view finding_path) const;
};

// Parses one entry. Errors: empty text, a check id no lint check has, a path
// that is not absolute or holds "." or ".." components.
core::Result<FindingIgnore> parse_finding_ignore(std::string_view text);

// Whether any entry matches.
bool any_ignore_matches(const std::vector<FindingIgnore>& ignore, std::string_view finding_id,
                        std::string_view finding_path);

}  // namespace distill::verify
