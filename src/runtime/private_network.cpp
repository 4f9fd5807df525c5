#include "runtime/private_network.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "core/fd_io.hpp"
#include "core/file_util.hpp"
#include "core/lines.hpp"
#include "core/process.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"

extern char** environ;

namespace distill::runtime {
namespace {

// pasta needs a moment on a loaded machine; then it has failed.
constexpr auto kReadyTimeout = std::chrono::seconds(30);
constexpr auto kReadyPoll = std::chrono::milliseconds(20);
// How long pasta may take to go after SIGTERM before it gets SIGKILL.
constexpr int kStopGraceTicks = 40;
constexpr int kTickMs = 50;
// The holder's exit code when it could not make the namespace.
constexpr int kHolderFailed = 125;
// What distill writes to the holder: kDone alone, or kHandOver and a pid.
constexpr char kDone = 1;
constexpr char kHandOver = 2;
constexpr ssize_t kHandOverSize = 1 + sizeof(pid_t);

// What follows runs in forked children: async-signal-safe calls only (the
// parent may have had other threads).

void format_netns_path(char* buf, size_t size, pid_t pid) {
  char digits[16];
  int n = 0;
  for (unsigned v = static_cast<unsigned>(pid); n == 0 || v != 0; v /= 10)
    digits[n++] = static_cast<char>('0' + v % 10);
  size_t at = 0;
  auto put = [&](char c) {
    if (at + 1 < size) buf[at++] = c;
  };
  for (const char* p = "/proc/"; *p; ++p) put(*p);
  while (n > 0) put(digits[--n]);
  for (const char* p = "/ns/net"; *p; ++p) put(*p);
  buf[at] = '\0';
}

// Without any capability left, the holder may be opened by pasta through
// /proc/<holder>/ns/net: the kernel lets a process with fewer capabilities
// look into one whose permitted set is a subset of its own.
int drop_all_capabilities() {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  return static_cast<int>(::syscall(SYS_capset, &header, data));
}

// True once `pid` has exited (and been reaped into `status`).
bool exited(pid_t pid, int& status) {
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

[[noreturn]] void stop_and_exit(pid_t pasta) {
  ::kill(pasta, SIGTERM);
  int status = 0;
  for (int i = 0; i < kStopGraceTicks; ++i) {
    if (exited(pasta, status)) ::_exit(0);
    ::poll(nullptr, 0, kTickMs);
  }
  ::kill(pasta, SIGKILL);
  (void)core::wait_child(pasta);
  ::_exit(0);
}

[[noreturn]] void hold_network(int from_parent, char* const* argv, char* netns, size_t netns_size) {
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);  // Ctrl-C and kill -TERM are distill's to handle
  ::setpgid(0, 0);
  // It may outlive distill (hand_over): no folder of ours kept busy, and no
  // descriptor of ours kept open (a flock'd one would stay locked).
  if (::chdir("/") != 0) ::_exit(kHolderFailed);
  if (from_parent > 3) ::close_range(3, static_cast<unsigned>(from_parent) - 1, 0);
  ::close_range(static_cast<unsigned>(from_parent) + 1, ~0U, 0);
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd : {0, 1, 2}) ::dup2(null, fd);  // pasta logs to its file; keep no output pipe open
  int go[2];
  if (::pipe2(go, O_CLOEXEC) != 0) ::_exit(kHolderFailed);
  format_netns_path(netns, netns_size, ::getpid());
  // pasta binds the host's ports in the host's namespace: forked before ours
  // is made, it waits until the namespace exists.
  pid_t pasta = ::fork();
  if (pasta < 0) ::_exit(kHolderFailed);
  if (pasta == 0) {
    ::close(go[1]);
    char byte = 0;
    if (::read(go[0], &byte, 1) != 1) ::_exit(kHolderFailed);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv[0], argv, environ);
    ::_exit(127);
  }
  ::close(go[0]);
  if (::unshare(CLONE_NEWNET) != 0 || drop_all_capabilities() != 0) {
    ::kill(pasta, SIGKILL);
    (void)core::wait_child(pasta);
    ::_exit(kHolderFailed);
  }
  char byte = 1;
  if (::write(go[1], &byte, 1) != 1) stop_and_exit(pasta);
  ::close(go[1]);
  // Until distill is done (kDone) or gone (end of file), or pasta exits; or,
  // once a detached container's process is handed over (kHandOver), until
  // that process is gone.
  pollfd watch[2] = {{from_parent, POLLIN, 0}, {-1, POLLIN, 0}};
  int status = 0;
  for (;;) {
    if (exited(pasta, status))
      ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    if (::poll(watch, 2, 200) <= 0) continue;
    if (watch[1].fd >= 0) {
      if (watch[1].revents != 0) stop_and_exit(pasta);
      continue;
    }
    char msg[kHandOverSize] = {};
    if (core::read_some(from_parent, msg, sizeof msg) != kHandOverSize || msg[0] != kHandOver)
      stop_and_exit(pasta);
    pid_t container = 0;
    std::memcpy(&container, msg + 1, sizeof container);
    // A pidfd needs no permission, and outlives a reuse of the number.
    watch[1].fd = static_cast<int>(::syscall(SYS_pidfd_open, container, 0));
    if (watch[1].fd < 0) stop_and_exit(pasta);
    watch[0].fd = -1;
    ::close(from_parent);
  }
}

std::string exit_text(int status) {
  if (WIFEXITED(status)) {
    if (WEXITSTATUS(status) == kHolderFailed) return "could not create a network namespace";
    return "pasta exited with code " + std::to_string(WEXITSTATUS(status));
  }
  return "pasta was killed by signal " + std::to_string(WTERMSIG(status));
}

}  // namespace

std::string pasta_errors(std::string_view log) {
  std::vector<std::string> errors;
  for (std::string_view line : core::lines(log)) {
    size_t at = line.find("ERROR:");
    if (at == std::string_view::npos) continue;
    errors.push_back(core::escape_control(core::trim_space(line.substr(at + 6))));
  }
  return core::join(errors, "; ");
}

core::Result<std::string> find_pasta() {
  std::string pasta = core::find_program("pasta");
  if (pasta.empty() && ::access("/usr/bin/pasta", X_OK) == 0) pasta = "/usr/bin/pasta";
  if (pasta.empty())
    return core::make_error("network", "pasta not found on PATH",
                            "-p and --network private need it: apt-get install passt");
  return pasta;
}

core::Result<PrivateNetwork> PrivateNetwork::start(const std::vector<PortMapping>& ports,
                                                   const std::string& work_dir) {
  DISTILL_ASSIGN(std::string pasta, find_pasta());
  const std::string pid_file = work_dir + "/pasta.pid";
  const std::string log_file = work_dir + "/pasta.log";
  // The last argument, the namespace's path, is filled in by the holder.
  std::vector<std::string> args = pasta_argv(pasta, "", ports, pid_file, log_file);
  char netns[64] = {};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.back() = netns;
  argv.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return core::make_error("network", std::string("pipe: ") + std::strerror(errno));
  pid_t holder = ::fork();
  if (holder == 0) {
    ::close(fds[1]);
    hold_network(fds[0], argv.data(), netns, sizeof netns);
  }
  ::close(fds[0]);
  core::UniqueFd to_holder(fds[1]);
  if (holder < 0) return core::make_error("network", std::string("fork: ") + std::strerror(errno));
  PrivateNetwork network(holder, std::move(to_holder));
  // pasta writes its pid file once its ports are bound and the namespace's
  // interface is up.
  for (auto waited = std::chrono::milliseconds(0); waited < kReadyTimeout; waited += kReadyPoll) {
    auto pid = core::read_file(pid_file);
    if (pid.ok() && !pid->empty()) return network;
    int status = 0;
    if (exited(network.holder_, status)) {
      network.holder_ = -1;
      auto log = core::read_file(log_file);
      std::string why = log.ok() ? pasta_errors(*log) : std::string();
      return core::make_error("network",
                              "pasta could not set up the container's network: " +
                                  (why.empty() ? exit_text(status) : why),
                              "is another program listening on a published host port?");
    }
    std::this_thread::sleep_for(kReadyPoll);
  }
  return core::make_error("network", "pasta did not get ready within 30 s",
                          "is the machine overloaded? --network none runs without it");
}

PrivateNetwork::PrivateNetwork(PrivateNetwork&& o) noexcept
    : holder_(std::exchange(o.holder_, -1)), to_holder_(std::move(o.to_holder_)) {}

PrivateNetwork::~PrivateNetwork() {
  stop();
}

core::Status PrivateNetwork::hand_over(pid_t container) {
  // The process must be in our namespace: anything else would tie pasta's
  // life to an unrelated process.
  struct stat ours {
  }, theirs{};
  const std::string theirs_path = "/proc/" + std::to_string(container) + "/ns/net";
  if (::stat(netns_path().c_str(), &ours) != 0 || ::stat(theirs_path.c_str(), &theirs) != 0 ||
      ours.st_ino != theirs.st_ino || ours.st_dev != theirs.st_dev)
    return core::make_error("network", "the container's process is not in its network namespace",
                            "it may have exited at once; distill logs shows what it wrote");
  char msg[kHandOverSize] = {kHandOver};
  std::memcpy(msg + 1, &container, sizeof container);
  if (::write(to_holder_.get(), msg, sizeof msg) != kHandOverSize)
    return core::make_error("network",
                            std::string("cannot reach pasta's holder: ") + std::strerror(errno));
  // From here on it is no longer ours to stop or wait for: it goes with the
  // container, and init reaps it once we are gone.
  to_holder_.reset();
  holder_ = -1;
  return core::Status::Ok();
}

void PrivateNetwork::stop() {
  if (holder_ <= 0) return;
  char done = kDone;
  (void)!::write(to_holder_.get(), &done, 1);
  to_holder_.reset();
  (void)core::wait_child(holder_);
  holder_ = -1;
}

std::string PrivateNetwork::netns_path() const {
  return "/proc/" + std::to_string(holder_) + "/ns/net";
}

}  // namespace distill::runtime
