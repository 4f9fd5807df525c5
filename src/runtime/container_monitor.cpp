#include "runtime/container_monitor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/clock.hpp"
#include "core/fd_io.hpp"
#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/unique_fd.hpp"
#include "runtime/health.hpp"
#include "runtime/runner.hpp"

extern char** environ;

namespace distill::runtime {
namespace {

// How often the monitor looks whether process 1 is still there when it is
// not its child (a runc that did not hand it over).
constexpr int64_t kPollNs = 1'000'000'000;
constexpr int kLockPollMs = 50;

int status_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void report(int fd, const std::string& line) {
  if (fd < 0) return;
  (void)core::write_all(fd, line);
  ::close(fd);
}

int read_pid(const std::string& path) {
  auto text = core::read_file(path);
  return text.ok() ? std::atoi(text->c_str()) : 0;
}

// Reaps every child that has exited; true once process 1 (`pid`) is gone,
// with its exit code in `code` when it was ours to reap.
bool reap(pid_t pid, std::optional<int>& code) {
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(-1, &status, WNOHANG);
    if (done == pid) {
      code = status_code(status);
      return true;
    }
    if (done > 0) continue;
    if (done < 0 && errno == EINTR) continue;
    // No child exited; process 1 may not be ours (runc kept it): look.
    if (done < 0 && errno == ECHILD) return ::kill(pid, 0) != 0 && errno == ESRCH;
    return false;
  }
}

}  // namespace

int run_monitor(const MonitorRequest& r) {
  // The report pipe is for us alone: not for runc, nor the checks.
  if (r.report_fd >= 0) ::fcntl(r.report_fd, F_SETFD, FD_CLOEXEC);
  StateStore store(r.state_root);
  sigset_t blocked;
  sigemptyset(&blocked);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaddset(&blocked, sig);
  ::sigprocmask(SIG_BLOCK, &blocked, nullptr);
  // The container's process 1 is re-parented to us when runc run -d exits.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    report(r.report_fd, "error cannot become a subreaper\n");
    return 1;
  }
  const std::string dir = store.container_dir(r.name);
  core::UniqueFd lock(
      ::open((dir + "/monitor.lock").c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!lock || ::flock(lock.get(), LOCK_EX) != 0) {
    report(r.report_fd, "error cannot lock monitor.lock\n");
    return 1;
  }
  std::string self = std::to_string(::getpid()) + "\n";
  (void)core::write_all(lock.get(), self);
  auto policy = health_policy(r.healthcheck);
  SystemRuncExecutor executor;
  auto code = executor.run_logged(r.runc_run, r.log);
  if (!code.ok()) {
    report(r.report_fd, "error " + code.error().message() + "\n");
    return 1;
  }
  report(r.report_fd, std::to_string(*code) + "\n");
  if (*code != 0) return 0;
  const pid_t pid = read_pid(dir + "/pid");
  if (pid <= 1) return 1;

  std::optional<HealthPolicy> health;
  if (policy.ok() && *policy) health = **policy;
  RuncHealthProber prober(r.runc, store.runc_root(), r.name, dir + "/health.pid");
  HealthState state;
  const int64_t started = monotonic_ns();
  int64_t next = health ? started + health->interval : 0;
  auto write_health = [&] {
    (void)core::write_file_atomic(dir + "/health.json",
                                  health_record_json(state, core::system_clock().now()), 0600);
  };
  if (health) write_health();
  std::optional<int> exit_code;
  for (;;) {
    if (reap(pid, exit_code)) break;
    int64_t now = monotonic_ns();
    if (health && now >= next) {
      ProbeResult result = prober.probe(health->argv, health->timeout);
      state.record(*health, result, now - started);
      next = monotonic_ns() + health->interval;
      write_health();
      continue;
    }
    int64_t wait = health ? std::min(next - now, kPollNs) : kPollNs;
    timespec ts{static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)};
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    (void)::sigtimedwait(&chld, nullptr, &ts);
  }
  if (exit_code)
    (void)core::write_file_atomic(dir + "/exit.json",
                                  exit_record_json(*exit_code, core::system_clock().now()), 0600);
  return 0;
}

std::string monitor_request_json(const MonitorRequest& r) {
  nlohmann::json j = {{"state_root", r.state_root},
                      {"name", r.name},
                      {"runc", r.runc},
                      {"log", r.log},
                      {"runc_run", r.runc_run}};
  if (r.healthcheck)
    j["healthcheck"] = nlohmann::json::parse(oci::healthcheck_to_json(*r.healthcheck));
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

core::Result<MonitorRequest> parse_monitor_request(std::string_view text) {
  DISTILL_ASSIGN(nlohmann::json j, core::parse_json(text, "container-monitor"));
  if (!j.is_object()) return core::make_error("container-monitor", "is not a JSON object");
  MonitorRequest r;
  DISTILL_ASSIGN(r.state_root, core::json_string(j, "state_root"));
  DISTILL_ASSIGN(r.name, core::json_string(j, "name"));
  DISTILL_ASSIGN(r.runc, core::json_string(j, "runc"));
  DISTILL_ASSIGN(r.log, core::json_string(j, "log"));
  DISTILL_ASSIGN(r.runc_run, core::json_string_list(j, "runc_run"));
  if (auto it = j.find("healthcheck"); it != j.end() && !it->is_null()) {
    DISTILL_ASSIGN(oci::Healthcheck h, oci::healthcheck_from_json(it->dump()));
    r.healthcheck = std::move(h);
  }
  DISTILL_TRY(validate_container_name(r.name));
  if (r.state_root.empty() || r.runc.empty() || r.runc_run.empty())
    return core::make_error("container-monitor", "missing fields",
                            "it is started by distill run -d only");
  return r;
}

core::Result<int> start_monitor(const MonitorRequest& request) {
  std::error_code ec;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) return core::make_error("run", "cannot find the distill program: " + ec.message());
  std::vector<std::string> argv = {self, "container-monitor", monitor_request_json(request)};
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return core::make_error("run", std::string("cannot make a pipe: ") + std::strerror(errno));
  core::UniqueFd read_end(fds[0]), write_end(fds[1]);
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  for (int fd : {0, 1, 2})
    posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  // dup2 clears close-on-exec: the monitor gets exactly this one pipe.
  posix_spawn_file_actions_adddup2(&fa, write_end.get(), 3);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  // A session of its own: no terminal's signals reach it, and it outlives us.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, self.c_str(), &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return core::make_error(
        "run", std::string("cannot start the container monitor: ") + std::strerror(rc));
  write_end.reset();
  std::string line;
  char buf[256];
  for (;;) {
    ssize_t n = core::read_some(read_end.get(), buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  // The monitor lives on; the process that started it is the one to reap it:
  // a second child of ours would stay a zombie until we exit, which is soon.
  if (line.empty() || line.back() != '\n')
    return core::make_error("run", "the container monitor ended before runc started",
                            "distill ps -a and the log of the container may say why");
  line.pop_back();
  if (line.rfind("error ", 0) == 0)
    return core::make_error("run", "the container monitor failed: " + line.substr(6));
  return std::atoi(line.c_str());
}

void wait_monitor(const StateStore& store, const std::string& name, int ms) {
  const std::string path = store.container_dir(name) + "/monitor.lock";
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return;
  for (int waited = 0; waited < ms; waited += kLockPollMs) {
    if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(kLockPollMs));
  }
  int pid = read_pid(path);
  if (pid > 1) ::kill(pid, SIGKILL);
}

}  // namespace distill::runtime
