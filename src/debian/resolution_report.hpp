#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "debian/solve.hpp"

namespace distill::debian {

// What `distill resolve` prints: per architecture, the packages with their
// pins and why each is there, and the dependency edges the policy dropped.

// {"distro", "archs": {arch: {"packages", "dropped"}}}.
nlohmann::json resolutions_json(const std::string& distro,
                                const std::vector<ArchSolution>& solutions);

// A summary line, a table of the packages, then the dropped edges.
std::string resolution_table(const std::string& distro, const ArchSolution& solution);

}  // namespace distill::debian
