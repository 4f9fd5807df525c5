#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "image/rootfs_view.hpp"
#include "oci/image_config.hpp"
#include "verify/elf_deps.hpp"

namespace distill::verify {

enum class LintLevel { kInfo = 0, kWarn = 1, kFatal = 2 };

std::string_view lint_level_name(LintLevel level);  // "info", "warn", "fatal"
std::optional<LintLevel> parse_lint_level(std::string_view name);

// One check: dockle's / the CIS Docker benchmark's id where one exists,
// DISTILL-00xx for the distroless checks (docs/lint.md lists them all).
struct LintRule {
  const char* id;
  LintLevel level;
  const char* title;
};

const std::vector<LintRule>& lint_rules();
const LintRule* find_lint_rule(std::string_view id);

struct LintFinding {
  std::string id;
  LintLevel level = LintLevel::kWarn;
  std::string path;     // "/usr/bin/dash", or empty for the image config
  std::string message;  // what was found; never a secret's value
};

struct LintInput {
  const image::RootfsView* fs = nullptr;  // read with lint_keep_content + ELF candidates
  const oci::ImageConfig* config = nullptr;
  std::vector<std::string> ref_names;  // the image's tags: a "debug" tag marks a debug image
  PackageLookup lookup;                // for the ELF findings' package hints
};

// Files whose bytes the checks read (passwd, group, shadow, ...), besides the
// ELF candidates the dependency check needs.
bool lint_keep_content(std::string_view path);

// Runs every check and returns every finding, sorted by level (fatal
// first), id and path.
std::vector<LintFinding> lint_image(const LintInput& input);

}  // namespace distill::verify
