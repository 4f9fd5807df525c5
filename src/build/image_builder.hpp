#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "build/spec.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "debian/repository.hpp"
#include "oci/compressor.hpp"

namespace distill::build {

enum class OutputFormat { kOci, kDocker };

struct BuildOptions {
  std::string output;                  // layout folder or docker-archive tar
  OutputFormat format = OutputFormat::kOci;
  std::vector<std::string> archs;      // overrides spec.archs
  std::vector<std::string> tags;       // NAME:TAG
  oci::Compression compression = oci::Compression::kGzip;
  int64_t source_date_epoch = 0;
  bool verbose = true;                 // per-arch summary lines on stderr
};

struct ArchReport {
  std::string arch;
  std::vector<std::string> packages;        // name=version
  std::vector<std::string> dropped;         // policy-dropped edges
  std::vector<std::string> skipped_scripts; // packages whose maintainer scripts were not run
  std::vector<std::string> stripped;        // setuid/setgid bits removed
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

// Resolves, fetches, assembles and writes the image the spec describes.
core::Result<BuildReport> build_image(const Spec& spec, const BuildOptions& options,
                                      debian::Repository& repo, cache::Cache& cache);

}  // namespace distill::build
