#pragma once

#include <string>
#include <vector>

#include "builder/preset.hpp"
#include "builder/spec.hpp"
#include "debian/solve.hpp"

namespace distill::builder {

// What a spec asks the resolver for: the preset's roots and excludes plus
// the spec's own, under the spec's shell policy.
debian::SolveRequest solve_request(const Spec& spec, const Preset& preset);

// The packages read for their data only, never installed: the preset's,
// plus busybox-static for a debug image.
std::vector<std::string> extract_names(const Spec& spec, const Preset& preset);

// Sorted, duplicates removed: the order-free form requests are compared in.
std::vector<std::string> sorted_unique(std::vector<std::string> v);

}  // namespace distill::builder
