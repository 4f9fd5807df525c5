#include "runtime/health.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/duration.hpp"
#include "core/fd_io.hpp"
#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/lines.hpp"
#include "core/process.hpp"
#include "core/strings.hpp"
#include "core/unique_fd.hpp"
#include "runtime/spawn.hpp"

namespace distill::runtime {
namespace {

// What a failed check's output may add to its reason.
constexpr size_t kMaxReason = 200;
constexpr size_t kMaxOutput = 4096;

// A started child, killed and reaped unless it was waited for.
class HealthChild {
 public:
  explicit HealthChild(pid_t pid) : pid_(pid) {}
  ~HealthChild() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    (void)core::wait_child(pid_);
  }
  HealthChild(const HealthChild&) = delete;
  HealthChild& operator=(const HealthChild&) = delete;
  pid_t pid() const { return pid_; }
  // The raw wait status; the child is then gone.
  int wait() {
    int status = core::wait_child(pid_);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

// The last non-empty line of what the check wrote, printable and short.
std::string last_line(const std::string& output) {
  std::string last;
  for (std::string_view line : core::lines(output)) {
    std::string trimmed(line);
    while (!trimmed.empty() && (trimmed.back() == '\r' || trimmed.back() == ' '))
      trimmed.pop_back();
    if (!trimmed.empty()) last = trimmed;
  }
  last = core::escape_control(last, true);
  if (last.size() > kMaxReason) last = last.substr(0, kMaxReason - 3) + "...";
  return last;
}

}  // namespace

std::string_view health_status_name(HealthStatus status) {
  switch (status) {
    case HealthStatus::kStarting:
      return "starting";
    case HealthStatus::kHealthy:
      return "healthy";
    case HealthStatus::kUnhealthy:
      return "unhealthy";
  }
  return "starting";
}

core::Result<std::optional<HealthPolicy>> health_policy(
    const std::optional<oci::Healthcheck>& healthcheck) {
  if (!healthcheck || healthcheck->test.empty()) return std::optional<HealthPolicy>();
  const auto& test = healthcheck->test;
  HealthPolicy p;
  if (test.front() == "NONE") return std::optional<HealthPolicy>();
  if (test.front() == "CMD" && test.size() > 1) {
    p.argv.assign(test.begin() + 1, test.end());
  } else if (test.front() == "CMD-SHELL" && test.size() == 2) {
    p.argv = {"/bin/sh", "-c", test[1]};
  } else {
    return core::make_error("image config: Healthcheck",
                            "Test must be [\"CMD\", program, args...], [\"CMD-SHELL\", command] "
                            "or [\"NONE\"] (got " +
                                core::escape_control(core::join(test, " "), true) + ")",
                            "--no-healthcheck runs the image without it");
  }
  if (healthcheck->interval > 0) p.interval = healthcheck->interval;
  if (healthcheck->timeout > 0) p.timeout = healthcheck->timeout;
  if (healthcheck->start_period > 0) p.start_period = healthcheck->start_period;
  if (healthcheck->retries > 0) p.retries = healthcheck->retries;
  return std::optional<HealthPolicy>(std::move(p));
}

bool HealthState::record(const HealthPolicy& policy, const ProbeResult& result,
                         int64_t since_start) {
  HealthStatus before = status;
  if (result.healthy) {
    failing_streak = 0;
    reason.clear();
    status = HealthStatus::kHealthy;
    return status != before;
  }
  reason = result.reason;
  // Docker's rule: failures in the start period of a container that was
  // never healthy do not count.
  if (status == HealthStatus::kStarting && since_start < policy.start_period) return false;
  ++failing_streak;
  if (failing_streak >= policy.retries) status = HealthStatus::kUnhealthy;
  return status != before;
}

std::string HealthState::describe() const {
  std::string name(health_status_name(status));
  if (status == HealthStatus::kUnhealthy && !reason.empty()) return name + " (" + reason + ")";
  return name;
}

std::string health_record_json(const HealthState& state, int64_t checked) {
  nlohmann::json j = {{"status", std::string(health_status_name(state.status))},
                      {"failing_streak", state.failing_streak},
                      {"reason", state.reason},
                      {"checked", checked}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

core::Result<HealthRecord> parse_health_record(std::string_view text) {
  DISTILL_ASSIGN(nlohmann::json j, core::parse_json(text, "health.json"));
  if (!j.is_object()) return core::make_error("health.json", "is not a JSON object");
  HealthRecord r;
  DISTILL_ASSIGN(std::string status, core::json_string(j, "status"));
  bool known = false;
  for (HealthStatus s :
       {HealthStatus::kStarting, HealthStatus::kHealthy, HealthStatus::kUnhealthy}) {
    if (health_status_name(s) == status) {
      r.state.status = s;
      known = true;
    }
  }
  if (!known) return core::make_error("health.json", "unknown status '" + status + "'");
  DISTILL_ASSIGN(r.state.failing_streak, core::json_int(j, "failing_streak"));
  DISTILL_ASSIGN(r.state.reason, core::json_string(j, "reason"));
  DISTILL_ASSIGN(r.checked, core::json_int(j, "checked"));
  return r;
}

ProbeResult RuncHealthProber::probe(const std::vector<std::string>& argv, int64_t timeout) {
  ::unlink(pid_file_.c_str());
  std::vector<std::string> command = {runc_,        "--root",  runc_root_, "exec",
                                      "--pid-file", pid_file_, id_};
  command.insert(command.end(), argv.begin(), argv.end());
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {false, "cannot make a pipe"};
  core::UniqueFd read_end(fds[0]), write_end(fds[1]);
  SpawnOptions spawn;
  spawn.output_fd = write_end.get();  // its own group: a Ctrl-C is for the container
  auto pid = spawn_process(command, spawn);
  if (!pid.ok()) return {false, pid.error().what};
  HealthChild child(*pid);
  write_end.reset();
  std::string output;
  const int64_t deadline = monotonic_ns() + timeout;
  bool timed_out = false;
  std::string buf(1024, '\0');
  for (;;) {
    int64_t left_ms = (deadline - monotonic_ns()) / 1'000'000;
    if (left_ms <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{read_end.get(), POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    ssize_t n = core::read_some(read_end.get(), buf.data(), buf.size());
    if (n <= 0) break;
    if (output.size() < kMaxOutput) output.append(buf.data(), static_cast<size_t>(n));
  }
  if (timed_out) {
    // The check's process first (runc exec leaves it running when killed itself).
    if (auto text = core::read_file(pid_file_); text.ok()) {
      int inside = std::atoi(text->c_str());
      if (inside > 1) ::kill(inside, SIGKILL);
    }
    ::unlink(pid_file_.c_str());
    return {false, "timed out after " + core::format_duration(timeout)};
  }
  int status = child.wait();
  ::unlink(pid_file_.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {true, {}};
  std::string why = last_line(output);
  std::string code = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                       : "killed by signal " + std::to_string(WTERMSIG(status));
  return {false, why.empty() ? code : why};
}

HealthMonitor::HealthMonitor(HealthPolicy policy, HealthProber& prober,
                             std::function<void(const HealthState&)> on_change)
    : policy_(std::move(policy)), prober_(prober), on_change_(std::move(on_change)) {
  thread_ = std::thread([this] { loop(); });
}

HealthMonitor::~HealthMonitor() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void HealthMonitor::loop() {
  const int64_t started = monotonic_ns();
  HealthState state;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (wake_.wait_for(lock, std::chrono::nanoseconds(policy_.interval),
                         [this] { return stop_; }))
        return;
    }
    const int64_t at = monotonic_ns();
    ProbeResult result = prober_.probe(policy_.argv, policy_.timeout);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;  // the container is gone: its last check says nothing
    }
    if (state.record(policy_, result, at - started)) on_change_(state);
  }
}

int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace distill::runtime
