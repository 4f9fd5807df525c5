#include "verify/finding_ignore.hpp"

#include <fmt/format.h>

#include "verify/lint_rules.hpp"

namespace distill::verify {
namespace {

// An absolute image path without empty, "." or ".." components (a trailing
// '/' marks a folder).
bool clean_image_path(std::string_view p) {
  if (!p.starts_with('/') || p == "/") return false;
  std::string_view rest = p.substr(1);
  if (rest.ends_with('/')) rest.remove_suffix(1);
  while (true) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) return true;
    rest.remove_prefix(slash + 1);
  }
}

}  // namespace

bool FindingIgnore::matches(std::string_view finding_id, std::string_view finding_path) const {
  if (!id.empty() && id != finding_id) return false;
  if (path.empty()) return true;
  if (path.ends_with('/')) return finding_path.starts_with(path);
  return finding_path == path;
}

core::Result<FindingIgnore> parse_finding_ignore(std::string_view text) {
  const std::string where = fmt::format("ignore entry '{}'", text);
  if (text.empty()) return core::make_error(where, "is empty", "ID, /path or ID:/path");
  FindingIgnore out;
  size_t slash = text.find('/');
  std::string_view id = text.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : text.substr(slash);
  if (!id.empty() && !path.empty()) {
    if (!id.ends_with(':'))
      return core::make_error(where, "is neither ID, /path nor ID:/path", "a path starts with '/'");
    id.remove_suffix(1);
  }
  if (!id.empty() && !find_lint_rule(id))
    return core::make_error(where, fmt::format("no such check: {}", id),
                            "docs/lint.md lists the check ids");
  if (!path.empty() && !clean_image_path(path))
    return core::make_error(where, "has a path with empty, '.' or '..' components",
                            "write it as the image shows it, e.g. /opt/app/lib/libx.so");
  out.id = std::string(id);
  out.path = std::string(path);
  return out;
}

bool any_ignore_matches(const std::vector<FindingIgnore>& ignore, std::string_view finding_id,
                        std::string_view finding_path) {
  for (const auto& i : ignore)
    if (i.matches(finding_id, finding_path)) return true;
  return false;
}

}  // namespace distill::verify
