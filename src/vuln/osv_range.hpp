#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sbom/lang_package.hpp"

namespace distill::vuln {

// The language ecosystems OSV describes and distill matches, spelt as OSV
// spells them.
using sbom::kGo;
using sbom::kMaven;
using sbom::kNpm;
using sbom::kPyPI;
bool is_language_ecosystem(std::string_view ecosystem);

// The name an ecosystem's package is looked up by: PEP 503's for PyPI, the
// text as given otherwise (npm's "@scope/name", Go's module path, Maven's
// "groupId:artifactId").
std::string ecosystem_package_key(std::string_view ecosystem, std::string_view name);

// The ecosystem's version order (PEP 440, semver for npm and Go, Maven's);
// nullopt when either text is not a version of that ecosystem. Go's
// toolchain versions ("go1.21.3") compare without their "go".
std::optional<int> compare_ecosystem_versions(std::string_view ecosystem, std::string_view a,
                                              std::string_view b);

// One OSV range event: exactly one of the fields is set.
struct OsvEvent {
  std::string introduced, fixed, last_affected, limit;
  friend bool operator==(const OsvEvent&, const OsvEvent&) = default;
};

struct OsvRange {
  std::string type;  // "ECOSYSTEM" or "SEMVER" (GIT ranges are not kept)
  std::vector<OsvEvent> events;
  friend bool operator==(const OsvRange&, const OsvRange&) = default;
};

// What one OSV "affected" entry says about the versions of one package.
struct OsvAffected {
  std::vector<OsvRange> ranges;
  std::vector<std::string> versions;  // explicitly affected versions
  friend bool operator==(const OsvAffected&, const OsvAffected&) = default;
};

// Reads "ranges" and "versions" of an OSV affected entry; GIT ranges are
// dropped (they name commits, not versions).
core::Result<OsvAffected> parse_osv_affected(const nlohmann::json& affected);

// The compact JSON the database keeps, and back.
std::string osv_affected_json(const OsvAffected& a);
core::Result<OsvAffected> osv_affected_from_json(std::string_view text);

// OSV's evaluation (ossf/osv-schema, "Evaluation"): a version listed in
// `versions` is affected; in a range, events sorted by version, an
// "introduced" at or below the version opens it, a "fixed" at or below or a
// "last_affected" below closes it; "limit" events bound the range from above
// (the version must be below one). SEMVER ranges use semver order, ECOSYSTEM
// ranges the ecosystem's. A version the order cannot read is never affected
// by a range.
bool osv_affects(const OsvAffected& a, std::string_view ecosystem, std::string_view version);

// The lowest "fixed" above `version` in the ranges, "" when none.
std::string osv_fixed_after(const OsvAffected& a, std::string_view ecosystem,
                            std::string_view version);

}  // namespace distill::vuln
