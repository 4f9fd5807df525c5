#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace distill::vuln {

// A Python package version as PEP 440 defines it, after its normalisation:
// case ignored, a leading 'v', "alpha"/"beta"/"c"/"pre"/"preview" spelled
// a/b/rc, "rev"/"r"/"-N" spelled post, '-', '_' and '.' separators optional
// where PEP 440 allows them, implicit 0 numbers.
struct Pep440Version {
  std::string epoch = "0";
  std::vector<std::string> release;  // digit runs, trailing zeros kept (compare ignores them)
  std::string pre_kind;              // "", "a", "b" or "rc"
  std::string pre_number;
  std::optional<std::string> post;
  std::optional<std::string> dev;
  std::vector<std::string> local;  // after '+', lower case, split at '.', '-', '_'
};

// nullopt when `text` is not a PEP 440 version (e.g. a legacy "1.0-foo-bar").
std::optional<Pep440Version> parse_pep440(std::string_view text);

// PEP 440 order: epoch, release (1.0 == 1.0.0), then dev < a < b < rc < final <
// post (a ".devN" of a release sorts before its pre-releases, a dev of a
// pre-release or post-release just before it); a local version sorts after
// the same public version, its segments numeric > alphanumeric.
int compare(const Pep440Version& a, const Pep440Version& b);

// -1, 0 or 1; nullopt when either is not a version.
std::optional<int> compare_pep440(std::string_view a, std::string_view b);

}  // namespace distill::vuln
