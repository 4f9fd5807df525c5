#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "image/image_opener.hpp"
#include "runtime/container.hpp"
#include "runtime/container_record.hpp"
#include "runtime/health.hpp"
#include "runtime/runner.hpp"
#include "runtime/state_store.hpp"

namespace distill::runtime {

// One row of `distill ps`.
struct ContainerStatus {
  ContainerRecord record;
  std::string status;                  // judge_container's
  std::optional<HealthRecord> health;  // its monitor's, when the image has a healthcheck
  std::optional<ExitRecord> exit;      // its monitor's, once process 1 has exited
};

// The named containers of distill's state folder, run by runc with its
// state in the folder too (`runc --root <root>/runc`), so distill owns it.
// Every call first removes the leftovers it meets (judge_container): a
// crashed distill leaves nothing that the next command does not clean.
class Containers {
 public:
  Containers(RuncExecutor& executor, std::string runc, StateStore store,
             core::Clock& clock = core::system_clock())
      : executor_(executor), runc_(std::move(runc)), store_(std::move(store)), clock_(clock) {}

  // Every container, by name; `all` adds exited ones (and those being made
  // or stopped right now).
  std::vector<ContainerStatus> list(bool all);
  // What the container wrote (stdout and stderr, in order), in chunks to
  // `sink`; `follow` keeps reading until the container has exited.
  core::Status logs(const std::string& name, bool follow,
                    const std::function<core::Status(std::string_view)>& sink);
  // SIGTERM, SIGKILL after `grace_seconds`, then runc's container, the
  // bundle, the log and the record are deleted.
  core::Status stop(const std::string& name, int grace_seconds);
  // `runc exec`: `args` run in the container with its process's user, env
  // and working folder; output passes through. `tty` (-t): in a terminal of
  // their own, which runc copies to and from ours. Returns their exit code.
  core::Result<int> exec(const std::string& name, const std::vector<std::string>& args,
                         bool tty = false);

  // The host pid of a running container's process 1 (runc's state), else
  // one error line for `command`.
  core::Result<int> process_of(const std::string& name, const std::string& command);

  RuncStatus runc_status(const std::string& name);
  const StateStore& store() const { return store_; }
  const std::string& runc() const { return runc_; }
  RuncExecutor& executor() { return executor_; }
  // `runc delete --force` and the folder removed (the folder's lock held).
  void remove_container(const std::string& name);

 private:
  std::vector<std::string> runc_command(std::vector<std::string> tail) const;
  // The record of a detached container that exists, else one error line.
  core::Result<ContainerRecord> find(const std::string& name, const std::string& command);
  // Polls runc until the container is no longer running, at most `ms`.
  bool wait_stopped(const std::string& name, int ms);

  RuncExecutor& executor_;
  std::string runc_;
  StateStore store_;
  core::Clock& clock_;
};

// The containers of StateStore::default_root() (ps, logs, stop, exec):
// needs root, as their runc state is root's, and runc.
core::Result<Containers> system_containers(RuncExecutor& executor);

// `distill ps`: NAME, IMAGE, COMMAND, CREATED, STATUS; image-controlled
// text escaped. `now` for "5 seconds ago" and docker's STATUS: "Up 12
// seconds (healthy)", "Exited (3)".
std::string ps_table(const std::vector<ContainerStatus>& rows, int64_t now);
// `distill ps --format json`: an array of objects, one per container.
std::string ps_json(const std::vector<ContainerStatus>& rows);

// `distill run -d`: the image unpacked into the container's folder and
// started detached (`runc run -d`, output to its log) by its monitor
// (container_monitor), which records its health and exit code. Returns its name.
core::Result<std::string> run_detached(const image::ImageOpener& open, const RunRequest& request,
                                       RuncExecutor& executor, const StateStore& store);

// `distill run --name N` in the foreground: N is claimed for as long as the
// run lasts (ps lists it), then released; otherwise run_image.
core::Result<int> run_named(const image::ImageOpener& open, const RunRequest& request,
                            RuncExecutor& executor, const StateStore& store);

}  // namespace distill::runtime
