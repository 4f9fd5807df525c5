#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sbom/lang_package.hpp"

namespace distill::sbom {

// A project's "package-lock.json" (outside node_modules) or npm 7's hidden
// lockfile "node_modules/.package-lock.json".
bool is_npm_lockfile(std::string_view path);

// An installed package's manifest: ".../node_modules/<name>/package.json" or
// ".../node_modules/@scope/<name>/package.json" (not the package.json files
// deeper inside a package).
bool is_npm_installed_manifest(std::string_view path);

// Every package a lockfile lists. lockfileVersion 2 and 3: the "packages" map,
// each "node_modules/.../<name>" key a package (its "name" field, for an
// alias, wins), the root "" and "link" entries skipped; version 1: the
// nested "dependencies" maps (depth bounded). Locations are left to the
// caller. An error when the text is not a JSON object.
core::Result<std::vector<LangPackage>> parse_npm_lockfile(std::string_view text);

// name, version and license ("MIT", {"type": "MIT"} or a "licenses" list's
// first) of an installed package.json; nullopt without a name or a version.
std::optional<LangPackage> parse_npm_manifest(std::string_view text);

}  // namespace distill::sbom
