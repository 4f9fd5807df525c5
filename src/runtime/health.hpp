#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "oci/image_config.hpp"

namespace distill::runtime {

// A container's health as docker reports it (docs/run.md, "Healthchecks").
enum class HealthStatus { kStarting, kHealthy, kUnhealthy };

std::string_view health_status_name(HealthStatus status);

// The image's Healthcheck with docker's defaults filled in.
struct HealthPolicy {
  std::vector<std::string> argv;  // run in the container, no shell
  int64_t interval = 30'000'000'000;
  int64_t timeout = 30'000'000'000;
  int64_t start_period = 0;
  int64_t retries = 3;
};

// nullopt when the image has none or disables it (["NONE"]). ["CMD-SHELL",
// c] runs /bin/sh -c c as docker does (only an image with a shell passes).
// An empty or unknown Test is an error naming the image config.
core::Result<std::optional<HealthPolicy>> health_policy(
    const std::optional<oci::Healthcheck>& healthcheck);

// What one check said: healthy, or why not (one line, printable).
struct ProbeResult {
  bool healthy = false;
  std::string reason;
};

// Docker's state machine: a success makes the container healthy and clears
// the failing streak; a failure counts unless the container never was
// healthy and is still in its start period; `retries` failures in a row
// make it unhealthy.
struct HealthState {
  HealthStatus status = HealthStatus::kStarting;
  int64_t failing_streak = 0;
  std::string reason;  // the last failure's
  // Returns whether `status` changed. `since_start`: nanoseconds between
  // the container's start and this check's.
  bool record(const HealthPolicy& policy, const ProbeResult& result, int64_t since_start);
  // "healthy", or "unhealthy (<reason>)": what distill run prints.
  std::string describe() const;
};

// What the monitor of a detached container records after each check
// (health.json in its folder), and `ps` reads.
struct HealthRecord {
  HealthState state;
  int64_t checked = 0;  // seconds since the epoch; 0 before the first check
};

std::string health_record_json(const HealthState& state, int64_t checked);
core::Result<HealthRecord> parse_health_record(std::string_view json);

// Runs one check in the container, killed after `timeout` nanoseconds.
class HealthProber {
 public:
  virtual ~HealthProber() = default;
  virtual ProbeResult probe(const std::vector<std::string>& argv, int64_t timeout) = 0;
};

// `runc --root <root> exec <id> argv...`: the container's user, environment
// and working folder; output kept to say why a check failed; on timeout the
// process in the container is killed (its pid file), then runc.
class RuncHealthProber : public HealthProber {
 public:
  RuncHealthProber(std::string runc, std::string runc_root, std::string id, std::string pid_file)
      : runc_(std::move(runc)),
        runc_root_(std::move(runc_root)),
        id_(std::move(id)),
        pid_file_(std::move(pid_file)) {}
  ProbeResult probe(const std::vector<std::string>& argv, int64_t timeout) override;

 private:
  std::string runc_, runc_root_, id_, pid_file_;
};

// Checks every `interval` on a thread of its own from construction to
// destruction (which stops and joins it), calling `on_change` with each
// change of status: a foreground `distill run`.
class HealthMonitor {
 public:
  HealthMonitor(HealthPolicy policy, HealthProber& prober,
                std::function<void(const HealthState&)> on_change);
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

 private:
  void loop();

  HealthPolicy policy_;
  HealthProber& prober_;
  std::function<void(const HealthState&)> on_change_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// What a foreground run watches: the policy, and who hears of each change.
struct HealthWatch {
  HealthPolicy policy;
  std::function<void(const HealthState&)> on_change;
};

// Monotonic nanoseconds, for the checks' schedule.
int64_t monotonic_ns();

}  // namespace distill::runtime
