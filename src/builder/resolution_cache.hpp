#pragma once

#include <optional>
#include <string>
#include <vector>

#include "builder/build_options.hpp"
#include "builder/preset.hpp"
#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "debian/lockfile.hpp"
#include "debian/package_index.hpp"

namespace distill::builder {

// One architecture's resolution: the pinned packages and the edges the
// policy dropped (reported on every build, cached or not).
struct SolvedArch {
  debian::LockedArch locked;
  std::vector<std::string> dropped;
};

// A resolution depends only on the indices (named by the digests the signed
// Releases vouch for), the request and the resolver: the same key gives the
// same packages, so a rebuild skips loading ~50 MB of indices.
std::string resolution_key(const Spec& spec, const Preset& preset, const std::string& arch,
                           const std::vector<debian::IndexOrigin>& origins);

// The resolution recorded under `key` (named entry "resolution-<key>");
// nullopt when there is none or it cannot be read. With opts.cache_repo, a
// local miss is looked up there (and recorded locally), a local hit the
// cache repo lacks is stored there, as cached_layer does.
std::optional<SolvedArch> cached_resolution(cache::Cache& cache, const std::string& key,
                                            const std::string& arch,
                                            const BuildOptions& opts = BuildOptions{});

// Records locally and, with opts.cache_repo, there too (a warning if that fails).
core::Status store_resolution(cache::Cache& cache, const std::string& key,
                              const std::string& distro, const std::string& arch,
                              const SolvedArch& solved, const BuildOptions& opts = BuildOptions{});

}  // namespace distill::builder
