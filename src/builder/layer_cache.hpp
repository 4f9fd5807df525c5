#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "builder/arch_plan.hpp"
#include "builder/build_options.hpp"
#include "builder/build_report.hpp"
#include "builder/preset.hpp"
#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "oci/fs_entry.hpp"
#include "oci/layer_writer.hpp"

namespace distill::builder {

// Bumped whenever assembly rules change, so cached layers from an older
// distill are never reused for a different result.
inline constexpr const char* kLayerRecipeVersion = "distill-layer-v3";

// The OS layer's key: SHA-256 over the recipe version, the .debs' SHA-256s
// and every option that changes the layer's bytes.
std::string os_layer_key(const Spec& spec, const Preset& preset, const PlannedArch& plan,
                         const BuildOptions& opts);

// What assembling the OS layer reported, kept with its cache record so that a
// cached build still says which scripts were skipped and which bits stripped.
nlohmann::json assembly_notes(const ArchReport& r);
void restore_notes(const nlohmann::json& notes, ArchReport& r);

// A cached layer is a blob plus a small record of its descriptor (and notes),
// the named entry "layer-<key>". nullopt when either is missing or unreadable.
// With opts.cache_repo, a local miss is looked up there (the blob fetched
// without recompressing, its digest, size and diff_id verified, then recorded
// locally) and a local hit the cache repo lacks is stored there; an entry
// that does not verify is a miss, told to opts.observer in one line.
std::optional<oci::LayerBlob> cached_layer(cache::Cache& cache, const std::string& key,
                                           const BuildOptions& opts,
                                           nlohmann::json* notes = nullptr);

// Writes the entries as a layer, stores the blob and records it under `key`
// (and in opts.cache_repo: a failure there is a warning, not an error).
core::Result<oci::LayerBlob> write_cached_layer(cache::Cache& cache, const std::string& key,
                                                std::vector<oci::FsEntry> entries,
                                                const BuildOptions& opts,
                                                nlohmann::json notes = nullptr);

}  // namespace distill::builder
