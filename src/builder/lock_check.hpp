#pragma once

#include <string>
#include <vector>

#include "builder/preset.hpp"
#include "builder/spec.hpp"
#include "core/result.hpp"
#include "debian/lockfile.hpp"

namespace distill::builder {

// A lock made for another request would silently build something the spec
// does not say: refuses it, naming the difference (distro, packages,
// excludes, a missing architecture or extract-only package). `where` names
// the lockfile in the error.
core::Status check_lock(const debian::Lockfile& lock, const std::string& where, const Spec& spec,
                        const Preset& preset, const std::vector<std::string>& archs);

}  // namespace distill::builder
