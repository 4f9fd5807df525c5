#include "core/thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

namespace distill::core {

Status run_parallel(size_t n, int threads, const std::function<Status(size_t)>& job) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::optional<size_t> first_index;
  Status first;
  auto worker = [&] {
    while (!failed.load()) {
      size_t i = next.fetch_add(1);
      if (i >= n) return;
      Status s = job(i);
      if (s.ok()) continue;
      std::lock_guard<std::mutex> lock(mu);
      if (!first_index || i < *first_index) {
        first_index = i;
        first = std::move(s);
      }
      failed = true;
    }
  };
  size_t count = std::min(n, static_cast<size_t>(std::max(threads, 1)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < count; ++t) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // the caller's thread below takes the rest
    }
  }
  worker();
  for (auto& t : pool) t.join();
  return first;
}

}  // namespace distill::core
