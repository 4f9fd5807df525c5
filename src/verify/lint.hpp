#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "image/rootfs_view.hpp"
#include "oci/image_config.hpp"
#include "verify/elf_deps.hpp"
#include "verify/lint_rules.hpp"

namespace distill::verify {

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
