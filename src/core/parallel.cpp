#include "core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace distill::core {

Status run_parallel(size_t n, int threads, const std::function<Status(size_t)>& job) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first;
  auto worker = [&] {
    while (!failed) {
      size_t i = next++;
      if (i >= n) return;
      Status s = job(i);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (!failed.exchange(true)) first = s;
      }
    }
  };
  size_t count = std::min<size_t>(n, static_cast<size_t>(std::max(threads, 1)));
  if (count <= 1) {
    worker();
    return first;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < count; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return first;
}

}  // namespace distill::core
