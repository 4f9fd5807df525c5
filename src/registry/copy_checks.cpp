#include "registry/copy_checks.hpp"

namespace distill::registry {

core::Status check_copy_options(const CopyOptions& options) {
  if (options.parallel < 1) return core::make_error("--parallel", "must be at least 1");
  if (options.remote.chunk_size < 0)
    return core::make_error("--chunk-size", "must not be negative", "0 uploads in one request");
  return core::Status::Ok();
}

std::string blob_hints_path(const std::string& cache_root) {
  return cache_root + "/registry-blobs.json";
}

}  // namespace distill::registry
