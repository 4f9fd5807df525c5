#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace distill::effects {

// What became of one command of a maintainer script.
enum class StepOutcome {
  kReproduced,  // done natively: the image holds what the command would have made
  kNoEffect,    // reads, messages, services, upgrades: nothing to make in an image
  kUnhandled,   // would change the system, and was not reproduced
};

struct ScriptStep {
  std::string script;  // "postinst", "preinst", "triggers"
  int line = 0;
  std::string command;  // its words after expansion ("?" for one not known)
  StepOutcome outcome = StepOutcome::kNoEffect;
  std::string note;  // what was done, or why not
};

struct PackageEffects {
  std::string package;
  std::vector<std::string> scripts;  // the maintainer scripts it has
  std::vector<ScriptStep> steps;
  bool acknowledged = false;  // listed in the spec's acknowledge_scripts
  size_t count(StepOutcome outcome) const;
};

// Everything the effects engine did to one image, for `--verbose` and the
// build report (`--report FILE`).
struct EffectsReport {
  std::vector<PackageEffects> packages;  // those with maintainer scripts, in install order
  std::vector<std::string> applied;      // one line per effect made: "ld.so.cache: 410 libraries"
  std::vector<std::string> skipped;      // one line per effect that could not run here

  // Packages with unhandled steps that the spec does not acknowledge.
  std::vector<std::string> unhandled_packages() const;
  // "maintainer scripts: 31 packages, 27 reproduced, 4 with unhandled steps (libc6, ...)".
  std::string summary() const;
};

std::string_view outcome_name(StepOutcome outcome);
nlohmann::json to_json(const EffectsReport& report);
// Back from to_json (a cached layer's notes); what does not parse is left out.
EffectsReport effects_from_json(const nlohmann::json& j);

}  // namespace distill::effects
