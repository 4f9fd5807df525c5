#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cache/cache.hpp"
#include "core/result.hpp"
#include "sbom/inventory.hpp"

namespace distill::sbom {

// Inventories already read, kept in the cache as named entries keyed by the
// manifest digest (docs/cache.md). A manifest digest fixes the config and
// every layer digest, and read_inventory verified those layers before
// recording, so a later scan of the same image skips reading its layers.

// The record's cache key: a format version, the manifest digest and whether
// the copyright files are included (an SBOM needs them, a scan does not).
std::string inventory_cache_key(std::string_view manifest_digest, bool with_copyrights);

// The record: every field of `inv` except the reference and name, which
// depend on how the image was named on the command line. An error when a
// field is not valid UTF-8.
core::Result<std::string> inventory_record(const ImageInventory& inv);

// Parses a record written by inventory_record. An error (a corrupt or
// foreign record) is a cache miss for the caller.
core::Result<ImageInventory> parse_inventory_record(std::string_view text, std::string_view where);

// The cache at `cache_dir` (default Cache::default_root()) for
// InventoryOptions::cache; nullopt when it cannot be opened (a read-only
// home), since scanning works without it.
std::optional<cache::Cache> open_inventory_cache(const std::string& cache_dir);

}  // namespace distill::sbom
