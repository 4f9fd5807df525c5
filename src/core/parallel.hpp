#pragma once

#include <cstddef>
#include <functional>

#include "core/result.hpp"

namespace distill::core {

// Runs job(0..n-1) on up to `threads` threads (the calling thread alone when
// one is enough); the first error stops the jobs not yet started and is
// returned. Jobs that must keep an order write into slots by index.
Status run_parallel(size_t n, int threads, const std::function<Status(size_t)>& job);

}  // namespace distill::core
