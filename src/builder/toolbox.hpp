#pragma once

#include <string>

#include "cache/cache.hpp"
#include "core/result.hpp"
#include "debian/repository.hpp"

namespace distill::builder {

// The toolbox `distill debug` starts next to a target when no --image is
// given: Debian's busybox-static under /busybox with its applet links (what
// `debug: true` adds), on the static preset, with /busybox/sh as its
// entrypoint. Built like any spec, for the Debian architecture `arch`, into
// the OCI layout folder `output`; the layer cache makes a second build cheap.
core::Status build_toolbox(const std::string& arch, const std::string& output,
                           debian::Repository& repo, cache::Cache& cache);

}  // namespace distill::builder
