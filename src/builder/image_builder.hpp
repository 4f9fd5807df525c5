#pragma once

#include <string>
#include <vector>

#include "builder/build_options.hpp"
#include "builder/build_report.hpp"
#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "debian/lockfile.hpp"
#include "debian/repository.hpp"

namespace distill::builder {

// Resolves the spec's packages for each architecture (the spec's when
// `archs` is empty) and pins them, the data-only ones included: what
// `distill lock -f distill.yaml` writes and `distill build --lock` replays.
core::Result<debian::Lockfile> lock_spec(const Spec& spec, std::vector<std::string> archs,
                                         debian::Repository& repo, cache::Cache& cache);

// Resolves (or takes from options.lock), fetches, assembles and writes the
// image the spec describes. Prints nothing: the report says what was built.
core::Result<BuildReport> build_image(const Spec& spec, const BuildOptions& options,
                                      debian::Repository& repo, cache::Cache& cache);

}  // namespace distill::builder
