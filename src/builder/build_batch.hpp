#pragma once

#include <functional>
#include <vector>

#include "builder/build_request.hpp"
#include "builder/pipeline.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "debian/repository.hpp"

namespace distill::builder {

// Opens, or hands back the already open, repository for a spec's distro and
// mirrors.
using RepositoryFor = std::function<core::Result<debian::Repository*>(const Spec&)>;

// Several images in one process (`distill build -f a.yaml -f b.yaml`, or a
// folder of specs), one after the other, stopping at the first that fails.
// One cache, and one repository per distro and mirrors: each signed Release
// is fetched and verified once, resolutions, .debs and layers are shared.
// The outputs' folder is made if missing.
core::Result<std::vector<PipelineReport>> build_and_ship_all(const std::vector<BuildPlan>& plans,
                                                             const RepositoryFor& repository_for,
                                                             cache::Cache& cache,
                                                             PipelineObserver* observer = nullptr);

}  // namespace distill::builder
