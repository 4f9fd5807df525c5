#pragma once

#include <string>

#include "core/result.hpp"
#include "registry/copy.hpp"

namespace distill::registry {

// The checks every copy makes on the options it was given (--parallel at
// least 1, --chunk-size not negative), before anything is copied.
core::Status check_copy_options(const CopyOptions& options);

// Where copies remember which registry holds which blob: beside the cache.
std::string blob_hints_path(const std::string& cache_root);

}  // namespace distill::registry
