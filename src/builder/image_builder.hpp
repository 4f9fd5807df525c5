#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "debian/lockfile.hpp"
#include "debian/repository.hpp"
#include "oci/compressor.hpp"

namespace distill::builder {

enum class OutputFormat { kOci, kDocker };

struct BuildOptions {
  std::string output;  // layout folder or docker-archive tar
  OutputFormat format = OutputFormat::kOci;
  std::vector<std::string> archs;  // overrides spec.archs
  std::vector<std::string> tags;   // NAME:TAG
  oci::Compression compression = oci::Compression::kGzip;
  int64_t source_date_epoch = 0;
  bool verbose = true;  // per-arch summary lines on stderr
  // false: resolve again and rebuild every layer (the records are still refreshed)
  bool reuse_cache = true;
  // Build exactly these packages instead of resolving (`--lock`); it must
  // have been made from the same spec request. lock_path names it in errors.
  const debian::Lockfile* lock = nullptr;
  std::string lock_path;
};

struct ArchReport {
  std::string arch;
  std::vector<std::string> packages;         // name=version
  std::vector<std::string> dropped;          // policy-dropped edges
  std::vector<std::string> skipped_scripts;  // packages whose maintainer scripts were not run
  std::vector<std::string> stripped;         // setuid/setgid bits removed
  std::vector<std::string> conflicts;
  uint64_t uncompressed_bytes = 0;
  uint64_t compressed_bytes = 0;
  std::string manifest_digest;
  bool os_layer_cached = false;
};

struct BuildReport {
  std::vector<ArchReport> archs;
  std::string digest;  // the manifest (one arch) or index (several) digest
};

// Resolves the spec's packages for each architecture (the spec's when
// `archs` is empty) and pins them, the data-only ones included: what
// `distill lock -f distill.yaml` writes and `distill build --lock` replays.
core::Result<debian::Lockfile> lock_spec(const Spec& spec, std::vector<std::string> archs,
                                         debian::Repository& repo, cache::Cache& cache);

// Resolves (or takes from options.lock), fetches, assembles and writes the
// image the spec describes.
core::Result<BuildReport> build_image(const Spec& spec, const BuildOptions& options,
                                      debian::Repository& repo, cache::Cache& cache);

}  // namespace distill::builder
