#include "core/clock.hpp"

#include <thread>

namespace distill::core {

int64_t SystemClock::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SystemClock::sleep_for(std::chrono::milliseconds d) {
  std::this_thread::sleep_for(d);
}

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

}  // namespace distill::core
