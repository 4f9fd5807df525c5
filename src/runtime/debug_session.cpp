#include "runtime/debug_session.hpp"

#include <unistd.h>

#include <optional>

#include "runtime/container.hpp"
#include "runtime/launch.hpp"
#include "runtime/lifecycle.hpp"

namespace distill::runtime {

const std::vector<std::string> kToolboxCapabilities = {
    "CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_KILL"};

namespace {

// An image target's container: stopped and removed when the session ends.
class SessionTarget {
 public:
  SessionTarget(Containers& containers, std::string name)
      : containers_(containers), name_(std::move(name)) {}
  ~SessionTarget() { (void)containers_.stop(name_, kStopSeconds); }
  SessionTarget(const SessionTarget&) = delete;
  SessionTarget& operator=(const SessionTarget&) = delete;

 private:
  static constexpr int kStopSeconds = 2;
  Containers& containers_;
  std::string name_;
};

bool names_a_container(const StateStore& store, const std::string& target) {
  return validate_container_name(target).ok() && store.exists(target);
}

core::Result<int> run_toolbox(const image::ImageOpener& open_toolbox, int target_pid,
                              const std::vector<std::string>& command, RuncExecutor& executor,
                              const std::string& runc) {
  // Held until the toolbox's bundle is gone, as for distill run.
  SignalBlock block;
  DISTILL_ASSIGN(auto source, open_toolbox());
  DISTILL_ASSIGN(const oci::PlatformImage* img, select_one_image(*source, {}));
  DISTILL_ASSIGN(Container toolbox,
                 Container::unpack(source->reader(), *img, executor, runc, source->name().text));
  RunOptions options;
  options.join_namespaces_of = target_pid;
  options.user = "0:0";
  options.cap_add = kToolboxCapabilities;
  options.terminal = ::isatty(0) && ::isatty(1);
  if (!command.empty()) {
    options.entrypoint = std::vector<std::string>{command.front()};
    options.args = std::vector<std::string>(command.begin() + 1, command.end());
  }
  return toolbox.run(options);
}

}  // namespace

core::Result<int> debug_container(const DebugRequest& request,
                                  const image::ImageOpener& open_target,
                                  const image::ImageOpener& open_toolbox, RuncExecutor& executor,
                                  const StateStore& store) {
  DISTILL_TRY(require_root("debug"));
  DISTILL_ASSIGN(std::string runc, find_runc());
  DISTILL_TRY(store.prepare());
  Containers containers(executor, runc, store);
  (void)containers.list(true);  // leftovers first
  std::string name = request.target;
  std::optional<SessionTarget> started;
  if (!names_a_container(store, request.target)) {
    RunRequest run;
    run.image = request.target;
    run.platform = request.platform;
    run.detach = true;
    auto made = run_detached(open_target, run, executor, store);
    if (!made.ok()) {
      core::Error e = made.error();
      if (e.hint.empty()) e.hint = "distill ps lists the containers it could name";
      return e;
    }
    name = *made;
    started.emplace(containers, name);
  }
  DISTILL_ASSIGN(int pid, containers.process_of(name, "debug"));
  return run_toolbox(open_toolbox, pid, request.command, executor, runc);
}

}  // namespace distill::runtime
