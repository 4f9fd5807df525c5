#pragma once

#include <chrono>
#include <cstdint>

namespace distill::core {

// Wall time and sleeping, behind an interface so that expiry checks and retry
// backoff are testable without waiting.
class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch.
  virtual int64_t now() const = 0;
  virtual void sleep_for(std::chrono::milliseconds d) = 0;
};

class SystemClock : public Clock {
 public:
  int64_t now() const override;
  void sleep_for(std::chrono::milliseconds d) override;
};

Clock& system_clock();

}  // namespace distill::core
