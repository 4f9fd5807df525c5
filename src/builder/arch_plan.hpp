#pragma once

#include <string>
#include <vector>

#include "builder/build_options.hpp"
#include "builder/preset.hpp"
#include "builder/resolution_cache.hpp"
#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "debian/repository.hpp"

namespace distill::builder {

// What one architecture's image is built from.
struct PlannedArch {
  std::string arch;
  std::vector<std::string> packages;               // name=version, for the report
  std::vector<std::string> dropped;                // policy-dropped edges
  std::vector<debian::PackageFetch> installs;      // installed packages
  std::vector<debian::PackageFetch> extract_only;  // read for their data only
};

// Resolves the spec's request for `arch`, through the resolution cache
// unless `reuse` is false (the record is refreshed either way).
core::Result<SolvedArch> resolve_arch(const Spec& spec, const Preset& preset,
                                      debian::Repository& repo, cache::Cache& cache,
                                      const std::string& arch,
                                      const BuildOptions& opts = BuildOptions{});

// The packages to build `arch` from: opts.lock's when set (already checked
// by check_lock), else resolved.
core::Result<PlannedArch> plan_arch(const Spec& spec, const Preset& preset,
                                    debian::Repository& repo, cache::Cache& cache,
                                    const std::string& arch, const BuildOptions& opts);

}  // namespace distill::builder
