#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace distill::sbom {

// The language ecosystems, spelt as OSV spells them (the vulnerability data
// is matched by these names).
inline constexpr std::string_view kPyPI = "PyPI";
inline constexpr std::string_view kNpm = "npm";
inline constexpr std::string_view kGo = "Go";
inline constexpr std::string_view kMaven = "Maven";

// One package of a language ecosystem found in the image's files
// (docs/app-dependencies.md): what `distill sbom` lists beside the Debian
// packages and `distill scan` matches against OSV's language data.
struct LangPackage {
  std::string ecosystem;  // kPyPI, kNpm, kGo or kMaven
  // As the ecosystem names it: PyPI's project name as METADATA says it, npm's
  // "@scope/name", Go's module path ("stdlib" for the toolchain), Maven's
  // "groupId:artifactId".
  std::string name;
  std::string version;
  std::string license;  // declared by the package's metadata, verbatim; "" when none
  // Where it was found in the image (no leading '/'), sorted: the METADATA
  // and RECORD, the lockfile and installed package.json, the binary, the jar
  // ("app.jar!/BOOT-INF/lib/x.jar" for a nested one).
  std::vector<std::string> locations;

  friend bool operator==(const LangPackage&, const LangPackage&) = default;
};

}  // namespace distill::sbom
