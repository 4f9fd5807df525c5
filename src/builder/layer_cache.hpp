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
inline constexpr const char* kLayerRecipeVersion = "distill-layer-v4";

// The image key: SHA-256 over the recipe version, the .debs' SHA-256s and
// every option that changes the OS layers' bytes (the layering included).
std::string os_layer_key(const Spec& spec, const Preset& preset, const PlannedArch& plan,
                         const BuildOptions& opts);

// A package layer's key: its packages' .deb SHA-256s (and partial lists), the
// options that change its bytes, and each entry's path, type, metadata and,
// for its status.d files, content. The other files are the packages' own
// (only unchanged packages go into package layers), so the .debs fix them:
// the same packages give the same key, and blob, in any image.
std::string package_layer_key(const Spec& spec, const Preset& preset, const PlannedArch& plan,
                              const BuildOptions& opts, const std::vector<std::string>& packages,
                              const std::vector<oci::FsEntry>& entries);

// The image's own layer's key: the image key (every input) and its entries' paths.
std::string image_layer_key(const std::string& image_key, const std::vector<oci::FsEntry>& entries);

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
