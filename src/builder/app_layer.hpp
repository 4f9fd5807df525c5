#pragma once

#include <optional>
#include <string>
#include <vector>

#include "builder/build_options.hpp"
#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "oci/fs_entry.hpp"
#include "oci/layer_writer.hpp"

namespace distill::builder {

// The app layer's key: the entries' paths, types, modes, owners and content
// hashes, and the options that change the layer's bytes.
core::Result<std::string> app_layer_key(const std::vector<oci::FsEntry>& entries,
                                        const BuildOptions& opts);

// The layer of the spec's `files` and the healthcheck checker, from the layer
// cache when its key is recorded (then *from_cache is set); nullopt when the
// spec adds neither.
// `shape`, when given, gets a digest of the layer's entries' metadata
// without their content (paths, types, modes, owners, link targets): what
// the entrypoint check's answer depends on (EntrypointMemo).
core::Result<std::optional<oci::LayerBlob>> app_layer(const Spec& spec, cache::Cache& cache,
                                                      const BuildOptions& opts,
                                                      bool* from_cache = nullptr,
                                                      std::string* shape = nullptr);

}  // namespace distill::builder
