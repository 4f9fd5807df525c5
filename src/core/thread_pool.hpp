#pragma once

#include <cstddef>
#include <functional>

#include "core/result.hpp"

namespace distill::core {

// Runs job(0..n-1) on up to `threads` threads, the caller's included. After a
// job fails no further job starts; the jobs already running finish. Returns
// the error of the lowest-numbered job that failed, so that the same failures
// give the same message whatever the scheduling. A thread that cannot be
// started is not an error: fewer threads run the same jobs.
Status run_parallel(size_t n, int threads, const std::function<Status(size_t)>& job);

}  // namespace distill::core
