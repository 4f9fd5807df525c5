#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace distill::vuln {

// A Semantic Versioning 2.0.0 version, as npm and Go order them.
struct Semver {
  std::string major, minor, patch;      // digit runs, compared as numbers
  std::vector<std::string> prerelease;  // the dot-separated identifiers after '-'
};

// "1.2.3", "v1.2.3-rc.1+build.5", "1.2" (a missing minor or patch is 0, as
// OSV's Go data writes some); build metadata ("+incompatible" included) is
// dropped. A leading 'v' is allowed (Go writes one, OSV's Go records do not).
// nullopt when `text` is not such a version.
std::optional<Semver> parse_semver(std::string_view text);

// Semver precedence: numbers numerically, then a version with a prerelease
// before the same version without; prerelease identifiers numeric < alphanumeric,
// numerics by value, alphanumerics in ASCII order, a shorter list first when
// it is a prefix. Go's pseudo-versions (v0.0.0-20200101000000-abcdef) are
// prereleases and sort by their timestamp this way.
int compare(const Semver& a, const Semver& b);

// -1, 0 or 1; nullopt when either is not a version.
std::optional<int> compare_semver(std::string_view a, std::string_view b);

}  // namespace distill::vuln
