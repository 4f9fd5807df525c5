#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "effects/effects_report.hpp"

namespace distill::builder {

// One layer of an image, bottom first: what it holds and whether it came
// from the layer cache.
struct LayerReport {
  std::string name;  // a preset level, a source package, "other", "image" or "files"
  std::string digest;
  uint64_t size = 0;    // compressed
  size_t packages = 0;  // the packages whose files it holds
  bool cached = false;
  bool early = false;  // written while other .debs were still being read
};

// What building one architecture's image did.
struct ArchReport {
  std::string arch;
  std::vector<std::string> packages;  // name=version
  std::vector<std::string> dropped;   // policy-dropped edges
  effects::EffectsReport effects;     // what the maintainer scripts did, natively
  std::vector<std::string> stripped;  // setuid/setgid bits removed
  std::vector<std::string> conflicts;
  std::vector<std::string> app_notes;  // what the checks on the spec's files left unchecked
  uint64_t uncompressed_bytes = 0;
  uint64_t compressed_bytes = 0;
  std::string manifest_digest;
  bool os_layer_cached = false;  // every package layer came from the cache
  // "checked" (the image read back), "remembered" (an earlier success on the
  // same metadata, app_checks.hpp), or "" (no entrypoint or cmd)
  std::string entrypoint_check;
  std::vector<LayerReport> layers;
};

// What `--cache-repo` gave and took (docs/cache.md).
struct CacheRepoReport {
  std::string repository;  // empty: no cache repo
  int layers_pulled = 0;   // layers taken from it (verified) instead of built
  int resolutions_pulled = 0;
  int records_pushed = 0;  // entries stored there (layers and resolutions)
};

struct BuildReport {
  std::vector<ArchReport> archs;
  std::string digest;  // the manifest (one arch) or index (several) digest
  CacheRepoReport cache_repo;
};

// The build report `distill build --report FILE` writes (docs/effects.md).
nlohmann::json to_json(const BuildReport& report);

}  // namespace distill::builder
