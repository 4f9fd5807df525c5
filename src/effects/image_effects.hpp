#pragma once

#include "core/result.hpp"
#include "effects/effects_report.hpp"
#include "effects/maintainer_scripts.hpp"
#include "effects/script_commands.hpp"
#include "effects/tree.hpp"

namespace distill::effects {

// The effects made once for the whole image, after every script was read:
// ld.so.cache (when glibc is in the image), the gconv cache check, the Java
// truststore (when a JRE or ca-certificates-java is), and Python bytecode
// (when an interpreter is and options.python_bytecode). Each adds one line
// to report.applied, or to report.skipped when it cannot run here.
core::Status apply_image_effects(Tree& tree, const WantedEffects& wanted,
                                 const EffectsOptions& options, EffectsReport& report);

}  // namespace distill::effects
