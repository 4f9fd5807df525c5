#include "verify/lint_rules.hpp"

namespace distill::verify {

std::string_view lint_level_name(LintLevel level) {
  switch (level) {
    case LintLevel::kInfo:
      return "info";
    case LintLevel::kWarn:
      return "warn";
    case LintLevel::kFatal:
      return "fatal";
  }
  return "warn";
}

std::optional<LintLevel> parse_lint_level(std::string_view name) {
  for (LintLevel l : {LintLevel::kInfo, LintLevel::kWarn, LintLevel::kFatal})
    if (lint_level_name(l) == name) return l;
  return std::nullopt;
}

const std::vector<LintRule>& lint_rules() {
  static const std::vector<LintRule> kRules = {
      {lint_id::kUser, LintLevel::kWarn, "Create a user for the container (do not run as root)"},
      {lint_id::kSpecialBits, LintLevel::kWarn,
       "Remove setuid and setgid permissions in the image"},
      {lint_id::kSecrets, LintLevel::kFatal,
       "Do not store credentials in environment variables or files"},
      {lint_id::kEmptyPassword, LintLevel::kFatal, "Avoid empty passwords"},
      {lint_id::kDuplicateIds, LintLevel::kFatal, "Be unique UID/GID"},
      {lint_id::kUnneededFiles, LintLevel::kInfo, "Only put necessary files"},
      {lint_id::kShell, LintLevel::kWarn, "No shell in a distroless image"},
      {lint_id::kPackageManager, LintLevel::kWarn, "No package manager in a distroless image"},
      {lint_id::kInterpreter, LintLevel::kWarn, "No interpreter beyond the entrypoint's runtime"},
      {lint_id::kWorldWritable, LintLevel::kWarn,
       "No world-writable paths (sticky folders excepted)"},
      {lint_id::kDebugShell, LintLevel::kFatal, "No debug shell in a non-debug image"},
      {lint_id::kElfDeps, LintLevel::kFatal,
       "Every ELF interpreter, library and symbol version resolves"},
      {lint_id::kDevice, LintLevel::kWarn, "No device nodes in the image"},
      {lint_id::kElfUnreadable, LintLevel::kWarn,
       "Files with the ELF magic are readable ELF objects"},
      {lint_id::kDotenv, LintLevel::kWarn, "No dotenv files (.env) in the image"},
      {lint_id::kDanglingLink, LintLevel::kInfo, "Symlinks resolve inside the image"},
      {lint_id::kElfOptional, LintLevel::kWarn,
       "Plugins no program loads have their desktop, sound, print and smart-card libraries"},
  };
  return kRules;
}

const LintRule* find_lint_rule(std::string_view id) {
  for (const auto& r : lint_rules())
    if (r.id == id) return &r;
  return nullptr;
}

}  // namespace distill::verify
