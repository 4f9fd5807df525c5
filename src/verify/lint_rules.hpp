#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "verify/elf_deps.hpp"

// The table of lint checks, apart from the checks themselves so that what
// only names a check (the ignore entries of `lint --ignore` and of the spec's
// `elf_check`) needs nothing else (docs/lint.md).
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

// The check ids, spelled once.
namespace lint_id {
inline constexpr const char* kUser = "CIS-DI-0001";
inline constexpr const char* kSpecialBits = "CIS-DI-0008";
inline constexpr const char* kSecrets = "CIS-DI-0010";
inline constexpr const char* kEmptyPassword = "DKL-LI-0001";
inline constexpr const char* kDuplicateIds = "DKL-LI-0002";
inline constexpr const char* kUnneededFiles = "DKL-LI-0003";
inline constexpr const char* kShell = "DISTILL-0001";
inline constexpr const char* kPackageManager = "DISTILL-0002";
inline constexpr const char* kInterpreter = "DISTILL-0003";
inline constexpr const char* kWorldWritable = "DISTILL-0004";
inline constexpr const char* kDebugShell = "DISTILL-0005";
inline constexpr const char* kElfDeps = kElfDepsRule;
inline constexpr const char* kDevice = "DISTILL-0007";
inline constexpr const char* kElfUnreadable = kElfUnreadableRule;
inline constexpr const char* kDotenv = "DISTILL-0009";
inline constexpr const char* kDanglingLink = "DISTILL-0010";
inline constexpr const char* kElfOptional = kElfOptionalRule;
}  // namespace lint_id

}  // namespace distill::verify
