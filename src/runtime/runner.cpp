#include "runtime/runner.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>

#include "core/fd_io.hpp"
#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/lines.hpp"
#include "core/temp_dir.hpp"
#include "core/unique_fd.hpp"
#include "runtime/spawn.hpp"

extern char** environ;

namespace distill::runtime {
namespace {

sigset_t forwarded_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// stdin is /dev/null unless `attach_stdin`; stdout and stderr are ours, or
// appended to `log_path` when one is given.
core::Result<pid_t> spawn_attached(const std::vector<std::string>& argv, bool attach_stdin = false,
                                   const std::string& log_path = {}) {
  SpawnOptions o;
  o.null_stdin = !attach_stdin;
  o.append_to = log_path;
  o.own_group = !(attach_stdin && ::isatty(0));
  return spawn_process(argv, o);
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// How long the supervisor keeps deleting a container whose runc still runs.
constexpr int kReapAttempts = 50;
constexpr int kReapIntervalMs = 200;

// In the forked supervisor only async-signal-safe calls are allowed (the
// parent may have had other threads): fork, execve, waitpid, poll, _exit.
void run_and_wait(char* const* argv) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execve(argv[0], argv, environ);
    ::_exit(127);
  }
  if (pid > 0) (void)core::wait_child(pid);
}

[[noreturn]] void supervise(int parent_pipe, int runc_pidfd, char* const* reap) {
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);  // Ctrl-C and kill -TERM are distill's to handle
  ::setpgid(0, 0);
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd : {0, 1, 2}) ::dup2(null, fd);  // never keep distill's output pipes open
  char byte = 0;
  ssize_t n = core::read_some(parent_pipe, &byte, 1);
  if (n == 1) ::_exit(0);  // distill is done and cleans up itself
  // Distill died. runc may still be creating the container, so delete until
  // runc has exited (which it does once its container is gone), then once more.
  pollfd runc_exit = {runc_pidfd, POLLIN, 0};
  for (int i = 0; i < kReapAttempts; ++i) {
    run_and_wait(reap);
    if (runc_pidfd < 0 || ::poll(&runc_exit, 1, kReapIntervalMs) > 0) break;
  }
  run_and_wait(reap);
  ::_exit(0);
}

// The supervisor of one running runc: told "done" by a byte, or that we died
// by the end of file its pipe reaches when our last descriptor closes.
class Supervisor {
 public:
  Supervisor(pid_t runc, const std::vector<std::string>& reap) {
    if (reap.empty()) return;
    std::vector<char*> argv;
    for (const auto& a : reap) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    core::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, runc, 0)));
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[1]);
      supervise(fds[0], pidfd.get(), argv.data());
    }
    ::close(fds[0]);
    to_supervisor_.reset(fds[1]);
  }
  ~Supervisor() {
    if (pid_ <= 0) return;
    // Should the byte not get through, the end of file that follows makes the
    // supervisor delete a container that is gone already: harmless.
    char done = 1;
    if (::write(to_supervisor_.get(), &done, 1) != 1) to_supervisor_.reset();
    to_supervisor_.reset();
    (void)core::wait_child(pid_);
  }
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

 private:
  pid_t pid_ = -1;
  core::UniqueFd to_supervisor_;
};

std::atomic<unsigned> container_counter{0};

// One container's state folder and id; deletes the container when done.
class ContainerState {
 public:
  ContainerState(RuncExecutor& executor, std::string runc, core::TempDir state)
      : executor_(executor), runc_(std::move(runc)), state_(std::move(state)) {
    id_ = "distill-" + std::to_string(::getpid()) + "-" + std::to_string(++container_counter);
  }
  ~ContainerState() { (void)executor_.run_captured(command({"delete", "--force", id_})); }

  std::vector<std::string> command(std::vector<std::string> tail) const {
    std::vector<std::string> argv = {runc_, "--root", state_.path()};
    argv.insert(argv.end(), tail.begin(), tail.end());
    return argv;
  }
  // runc's own log goes to a file of the state folder, as JSON lines: an
  // error there means runc failed to start the container, which its exit
  // code alone cannot tell from the container's own exit code 1.
  std::vector<std::string> run_command(const std::string& bundle, bool log = false) const {
    if (!log) return command({"run", "--bundle", bundle, id_});
    return command({"--log", log_path(), "--log-format", "json", "run", "--bundle", bundle, id_});
  }
  std::string log_path() const { return state_.path() + "/runc.log"; }
  // The last error runc logged, or "" when it started the container.
  std::string start_error() const { return last_runc_error(log_path()); }
  const std::string& id() const { return id_; }
  const std::string& state_dir() const { return state_.path(); }

 private:
  RuncExecutor& executor_;
  std::string runc_;
  core::TempDir state_;
  std::string id_;
};

}  // namespace

std::string last_runc_error(const std::string& log_path) {
  auto text = core::read_file(log_path);
  if (!text.ok()) return {};
  std::string last;
  for (std::string_view line : core::lines(*text)) {
    auto j = core::parse_json(line);
    if (j.ok() && j->is_object() && j->value("level", "") == "error") last = j->value("msg", "");
  }
  return last;
}

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    case SIGKILL:
      return "SIGKILL";
    default:
      return std::to_string(signal);
  }
}

SignalBlock::SignalBlock() {
  sigset_t set = forwarded_signals();
  pthread_sigmask(SIG_BLOCK, &set, &old_);
}

SignalBlock::~SignalBlock() {
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

int SignalBlock::pending() {
  sigset_t set;
  sigpending(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP})
    if (sigismember(&set, s)) return s;
  return 0;
}

core::Result<int> SystemRuncExecutor::run_attached(const std::vector<std::string>& argv,
                                                   const SignalHandler& on_signal,
                                                   const std::vector<std::string>& reap) {
  SignalBlock block;
  DISTILL_ASSIGN(pid_t pid, spawn_attached(argv, attach_stdin_));
  Supervisor supervisor(pid, reap);
  sigset_t set = forwarded_signals();
  // The monotonic clock, to the millisecond: whole seconds of the wall clock
  // made a 2 s timeout anything from 1 to 2 s.
  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> kill_at;
  const auto grace = std::chrono::seconds(grace_seconds_);
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return exit_code(status);
    if (done < 0 && errno != EINTR)
      return core::make_error(argv[0], std::string("wait failed: ") + std::strerror(errno));
    timespec tick = {0, 50'000'000};
    int sig = ::sigtimedwait(&set, nullptr, &tick);
    if (sig > 0) {
      on_signal(sig);
      if (!kill_at) kill_at = Clock::now() + grace;
    } else if (kill_at && Clock::now() >= *kill_at) {
      on_signal(SIGKILL);
      kill_at = Clock::now() + grace;
    }
  }
}

core::Result<core::ProcessResult> SystemRuncExecutor::run_captured(
    const std::vector<std::string>& argv) {
  return core::system_process_runner().run(argv);
}

core::Result<int> RuncExecutor::run_logged(const std::vector<std::string>& argv,
                                           const std::string&) {
  return core::make_error(argv.empty() ? "runc" : argv[0], "cannot run detached here");
}

core::Result<int> SystemRuncExecutor::run_logged(const std::vector<std::string>& argv,
                                                 const std::string& log_path) {
  DISTILL_ASSIGN(pid_t pid, spawn_attached(argv, false, log_path));
  return exit_code(core::wait_child(pid));
}

core::Status require_root(const std::string& where) {
  if (::geteuid() == 0) return core::Status::Ok();
  return core::make_error(where, "needs root",
                          "runc applies the image's file owners and namespaces; use sudo");
}

core::Status require_terminal(std::string_view flag) {
  if (::isatty(0)) return core::Status::Ok();
  return core::make_error(std::string(flag), "the input is not a terminal",
                          "run it from a terminal, or drop -t (-i alone attaches stdin)");
}

core::Result<std::string> find_runc() {
  std::string runc = core::find_program("runc");
  // Debian installs it in /usr/sbin, which a user's PATH may lack.
  for (const char* dir : {"/usr/sbin/runc", "/usr/local/sbin/runc", "/sbin/runc"})
    if (runc.empty() && ::access(dir, X_OK) == 0) runc = dir;
  if (runc.empty())
    return core::make_error("runc", "not found on PATH", "install runc (apt-get install runc)");
  return runc;
}

void ContainerRunner::reap_stale_containers() {
  for (const auto& state :
       core::stale_temporaries(core::temp_parent(state_parent_), kStatePrefix)) {
    DIR* d = ::opendir(state.c_str());
    if (d == nullptr) continue;
    std::vector<std::string> ids;
    while (dirent* ent = ::readdir(d))
      if (ent->d_name[0] != '.') ids.emplace_back(ent->d_name);
    ::closedir(d);
    for (const auto& id : ids)
      (void)executor_.run_captured({runc_, "--root", state, "delete", "--force", id});
  }
}

core::Result<core::TempDir> ContainerRunner::make_state() {
  // Containers of distill processes that are gone first: TempDir::create
  // then removes their state folders.
  reap_stale_containers();
  return core::TempDir::create(state_parent_, kStatePrefix);
}

core::Result<int> ContainerRunner::run(const std::string& bundle_dir, const HealthWatch* health) {
  DISTILL_ASSIGN(core::TempDir state, make_state());
  ContainerState c(executor_, runc_, std::move(state));
  auto forward = [&](int sig) {
    (void)executor_.run_captured(c.command({"kill", c.id(), signal_name(sig)}));
  };
  // Declared after `c`: stopped (and its last check done) before the container is deleted.
  std::optional<RuncHealthProber> prober;
  std::optional<HealthMonitor> monitor;
  if (health) {
    prober.emplace(runc_, c.state_dir(), c.id(), c.state_dir() + "/health.pid");
    monitor.emplace(health->policy, *prober, health->on_change);
  }
  DISTILL_ASSIGN(int code, executor_.run_attached(c.run_command(bundle_dir, true), forward,
                                                  c.command({"delete", "--force", c.id()})));
  if (code == 0) return code;
  std::string failed = c.start_error();
  if (!failed.empty())
    return core::make_error("run", "runc could not start the container: " + failed,
                            "check the image's entrypoint, user and working directory");
  return code;
}

core::Result<core::ProcessResult> ContainerRunner::run_captured(const std::string& bundle_dir) {
  DISTILL_ASSIGN(core::TempDir state, make_state());
  ContainerState c(executor_, runc_, std::move(state));
  return executor_.run_captured(c.run_command(bundle_dir));
}

}  // namespace distill::runtime
