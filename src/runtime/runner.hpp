#pragma once

#include <signal.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/process.hpp"
#include "core/result.hpp"
#include "core/temp_dir.hpp"
#include "runtime/health.hpp"

namespace distill::runtime {

// Called with each SIGINT or SIGTERM this process receives while a
// container runs (and with SIGKILL when it outlives a forwarded signal).
using SignalHandler = std::function<void(int signal)>;

// Starts runc: the OS side of ContainerRunner, behind an interface so that
// unit tests can script runc's behaviour.
class RuncExecutor {
 public:
  virtual ~RuncExecutor() = default;
  // Runs `argv` with stdout and stderr inherited and stdin from /dev/null,
  // in its own process group (a Ctrl-C reaches only us, and we forward it).
  // Should this process die while it runs (even by SIGKILL), `reap` is run
  // so that the container never outlives us. Returns its exit code (128+N
  // when killed by signal N).
  virtual core::Result<int> run_attached(const std::vector<std::string>& argv,
                                         const SignalHandler& on_signal,
                                         const std::vector<std::string>& reap) = 0;
  // Runs `argv` to completion with its output captured.
  virtual core::Result<core::ProcessResult> run_captured(const std::vector<std::string>& argv) = 0;
  // Runs `argv` to completion with stdin from /dev/null and stdout and stderr
  // appended to `log_path` (0600): `runc run -d` hands them on to the
  // detached container. Returns its exit code.
  virtual core::Result<int> run_logged(const std::vector<std::string>& argv,
                                       const std::string& log_path);
};

// The real one: posix_spawn, SIGINT/SIGTERM blocked and waited for with
// sigtimedwait while the child runs. A forked supervisor holds the read end
// of a pipe only we write to: end of file means we died, and it runs `reap`
// until runc is gone.
class SystemRuncExecutor : public RuncExecutor {
 public:
  // How long a container may outlive a forwarded signal before it is killed
  // (`--stop-timeout`; docker's default is 10 s too).
  static constexpr int kDefaultGraceSeconds = 10;
  // `attach_stdin` (`-i`): run_attached's child reads our stdin instead of /dev/null.
  explicit SystemRuncExecutor(int grace_seconds = kDefaultGraceSeconds, bool attach_stdin = false)
      : grace_seconds_(grace_seconds), attach_stdin_(attach_stdin) {}

  core::Result<int> run_attached(const std::vector<std::string>& argv,
                                 const SignalHandler& on_signal,
                                 const std::vector<std::string>& reap) override;
  core::Result<core::ProcessResult> run_captured(const std::vector<std::string>& argv) override;
  core::Result<int> run_logged(const std::vector<std::string>& argv,
                               const std::string& log_path) override;

 private:
  int grace_seconds_;
  bool attach_stdin_;
};

// Blocks SIGINT, SIGTERM and SIGHUP for its lifetime, so that a Ctrl-C while
// an image unpacks or a container runs is handled (forwarded, then cleaned
// up) rather than killing us with the bundle left behind.
class SignalBlock {
 public:
  SignalBlock();
  ~SignalBlock();
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;
  // The blocked signal that arrived and was not consumed yet, else 0.
  static int pending();

 private:
  sigset_t old_;
};

// Runs bundles with runc: `runc --root <state> run --bundle <dir> <id>`, with
// a fresh state folder per container. Signals are forwarded with `runc kill`;
// afterwards, whatever happened, the container is deleted (`runc delete
// --force`) and the state folder removed. State folders of distill processes
// that are gone are deleted the same way first.
class ContainerRunner {
 public:
  ContainerRunner(RuncExecutor& executor, std::string runc, std::string state_parent = {})
      : executor_(executor), runc_(std::move(runc)), state_parent_(std::move(state_parent)) {}

  // Output passes through; returns the container's exit code. With
  // `health`, a HealthMonitor checks the container while it runs.
  core::Result<int> run(const std::string& bundle_dir, const HealthWatch* health = nullptr);
  // Output captured (out, err, exit code).
  core::Result<core::ProcessResult> run_captured(const std::string& bundle_dir);

 private:
  static constexpr const char* kStatePrefix = "distill-runc";
  // `runc delete --force` on every container of a stale state folder.
  void reap_stale_containers();
  core::Result<core::TempDir> make_state();

  RuncExecutor& executor_;
  std::string runc_;
  std::string state_parent_;
};

// -t: runc copies between our stdin and the container's terminal, so stdin
// must be a terminal; else one error line for `flag`.
core::Status require_terminal(std::string_view flag);

// Root, or one error line for `where`: runc applies the image's file owners
// and makes namespaces.
core::Status require_root(const std::string& where);

// runc from $PATH, or an error saying how to get it.
core::Result<std::string> find_runc();

// The last error in runc's JSON log (`runc --log F --log-format json`), or
// "" when there is none: runc's exit code alone cannot tell its own failure
// from the container's exit code 1.
std::string last_runc_error(const std::string& log_path);

// "SIGINT" for SIGINT: what `runc kill` takes.
std::string signal_name(int signal);

}  // namespace distill::runtime
