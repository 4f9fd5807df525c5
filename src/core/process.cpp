#include "core/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "core/fd_io.hpp"
#include "core/unique_fd.hpp"

extern char** environ;

namespace distill::core {
namespace {

struct Pipe {
  UniqueFd read, write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return make_error("pipe", std::strerror(errno));
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Feeds stdin and drains stdout/stderr together so neither side blocks on a
// full pipe.
void pump(UniqueFd& in, const std::string& data, UniqueFd& out, UniqueFd& err, ProcessResult& r) {
  size_t written = 0;
  if (data.empty()) in.reset();
  while (out || err) {
    pollfd fds[3];
    int n = 0;
    int idx_in = -1, idx_out = -1, idx_err = -1;
    if (in) fds[idx_in = n++] = {in.get(), POLLOUT, 0};
    if (out) fds[idx_out = n++] = {out.get(), POLLIN, 0};
    if (err) fds[idx_err = n++] = {err.get(), POLLIN, 0};
    if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (idx_in >= 0 && fds[idx_in].revents) {
      ssize_t w = ::write(in.get(), data.data() + written, data.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 || written == data.size()) in.reset();
    }
    auto drain = [](UniqueFd& fd, short revents, std::string& sink) {
      if (!revents) return;
      char buf[1 << 16];
      ssize_t got = read_some(fd.get(), buf, sizeof buf);
      if (got > 0)
        sink.append(buf, static_cast<size_t>(got));
      else
        fd.reset();
    };
    if (idx_out >= 0) drain(out, fds[idx_out].revents, r.out);
    if (idx_err >= 0) drain(err, fds[idx_err].revents, r.err);
  }
}

}  // namespace

Result<ProcessResult> SystemProcessRunner::run(const std::vector<std::string>& argv,
                                               const std::string& stdin_data) {
  if (argv.empty()) return make_error("process", "empty command");
  // A child that exits early must not kill us with SIGPIPE while we feed it.
  // Ignored once for the whole process: toggling it per call would race
  // between threads. Write errors then surface as EPIPE, which pump handles.
  static std::once_flag sigpipe_once;
  std::call_once(sigpipe_once, [] { ::signal(SIGPIPE, SIG_IGN); });
  DISTILL_ASSIGN(Pipe in, make_pipe());
  DISTILL_ASSIGN(Pipe out, make_pipe());
  DISTILL_ASSIGN(Pipe err, make_pipe());

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.read.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, err.write.get(), 2);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return make_error(argv[0], std::string("cannot run: ") + std::strerror(rc));

  in.read.reset();
  out.write.reset();
  err.write.reset();
  ProcessResult r;
  pump(in.write, stdin_data, out.read, err.read, r);

  int status = wait_child(pid);
  if (WIFEXITED(status))
    r.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    r.exit_code = 128 + WTERMSIG(status);
  return r;
}

ProcessRunner& system_process_runner() {
  static SystemProcessRunner runner;
  return runner;
}

std::string find_companion_program(const std::string& name, const std::string& baked_path) {
  if (!baked_path.empty() && ::access(baked_path.c_str(), X_OK) == 0) return baked_path;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  std::string next = (self.parent_path() / name).string();
  return ::access(next.c_str(), X_OK) == 0 ? next : std::string();
}

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return {};
}

int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 0;
  }
  return status;
}

}  // namespace distill::core
