#include "runtime/lifecycle.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/fd_io.hpp"
#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "core/unique_fd.hpp"
#include "runtime/container_monitor.hpp"
#include "runtime/launch.hpp"
#include "runtime/private_network.hpp"

namespace distill::runtime {
namespace {

constexpr int kPollMs = 100;
// How long a container may take to go after SIGKILL before it is deleted anyway.
constexpr int kKillWaitMs = 5000;

RuncStatus parse_runc_status(std::string_view status) {
  if (status == "running") return RuncStatus::kRunning;
  if (status == "stopped") return RuncStatus::kStopped;
  if (status == "created" || status == "creating") return RuncStatus::kCreated;
  if (status == "paused" || status == "pausing") return RuncStatus::kPaused;
  return RuncStatus::kAbsent;
}

bool is_up(RuncStatus s) {
  return s == RuncStatus::kRunning || s == RuncStatus::kPaused;
}

std::string random_name() {
  std::string bytes(6, '\0');
  core::UniqueFd fd(::open("/dev/urandom", O_RDONLY | O_CLOEXEC));
  if (fd) (void)core::read_some(fd.get(), bytes.data(), bytes.size());
  return generated_container_name(bytes);
}

// A claimed container folder: removed with runc's container unless the
// container was started (commit), so a failed `run -d` leaves nothing.
class ClaimGuard {
 public:
  ClaimGuard(Containers& containers, std::string name)
      : containers_(containers), name_(std::move(name)) {}
  ~ClaimGuard() {
    if (!committed_) containers_.remove_container(name_);
  }
  ClaimGuard(const ClaimGuard&) = delete;
  ClaimGuard& operator=(const ClaimGuard&) = delete;
  void commit() { committed_ = true; }

 private:
  Containers& containers_;
  std::string name_;
  bool committed_ = false;
};

}  // namespace

std::vector<std::string> Containers::runc_command(std::vector<std::string> tail) const {
  std::vector<std::string> argv = {runc_, "--root", store_.runc_root()};
  argv.insert(argv.end(), tail.begin(), tail.end());
  return argv;
}

RuncStatus Containers::runc_status(const std::string& name) {
  auto r = executor_.run_captured(runc_command({"state", name}));
  if (!r.ok() || r->exit_code != 0) return RuncStatus::kAbsent;
  auto j = core::parse_json(r->out);
  if (!j.ok() || !j->is_object()) return RuncStatus::kAbsent;
  return parse_runc_status(j->value("status", ""));
}

void Containers::remove_container(const std::string& name) {
  (void)executor_.run_captured(runc_command({"delete", "--force", name}));
  (void)store_.remove(name);
}

std::vector<ContainerStatus> Containers::list(bool all) {
  // Claims of distills that died before naming their container.
  core::remove_stale_temporaries(store_.root() + "/new", "container");
  std::vector<ContainerStatus> out;
  for (const std::string& name : store_.names()) {
    auto lock = store_.try_lock(name);
    if (!lock.ok()) continue;  // gone meanwhile
    bool locked = !*lock;
    auto read = store_.read_record(name);
    std::optional<ContainerRecord> record;
    if (read.ok()) record = std::move(*read);
    RuncStatus runc = RuncStatus::kAbsent;
    if (!locked && record && record->phase == Phase::kRunning) runc = runc_status(name);
    Verdict verdict = judge_container(record, locked, runc);
    if (verdict.remove) {
      remove_container(name);  // while we hold its lock
      continue;
    }
    if (!all && verdict.status != "running") continue;
    ContainerRecord shown = record ? *record : ContainerRecord{};
    shown.name = name;
    ContainerStatus row{std::move(shown), verdict.status, std::nullopt, std::nullopt};
    const std::string dir = store_.container_dir(name);
    if (auto text = core::read_file(dir + "/health.json"); text.ok()) {
      if (auto h = parse_health_record(*text); h.ok()) row.health = std::move(*h);
    }
    if (auto text = core::read_file(dir + "/exit.json"); text.ok()) {
      if (auto e = parse_exit_record(*text); e.ok()) row.exit = *e;
    }
    out.push_back(std::move(row));
  }
  return out;
}

core::Result<ContainerRecord> Containers::find(const std::string& name,
                                               const std::string& command) {
  const std::string where = command + " " + core::escape_control(name);
  if (!validate_container_name(name).ok() || !store_.exists(name)) {
    (void)list(true);
    return core::make_error(where, "no such container", "distill ps -a lists them");
  }
  auto lock = store_.try_lock(name);
  bool locked = lock.ok() && !*lock;
  auto record = store_.read_record(name);
  if (!record.ok() && !locked) {
    (void)list(true);  // a leftover: cleaned, and then it is not there
    return core::make_error(where, "no such container", "distill ps -a lists them");
  }
  if (record.ok() && record->phase == Phase::kForeground)
    return core::make_error(where, "runs in the foreground of another distill",
                            "stop it with Ctrl-C there; stop, logs and exec need run -d");
  if (!record.ok() || record->phase != Phase::kRunning)
    return core::make_error(where, "is being created or stopped by another distill",
                            "try again in a moment");
  return std::move(*record);
}

bool Containers::wait_stopped(const std::string& name, int ms) {
  for (int waited = 0;; waited += kPollMs) {
    if (!is_up(runc_status(name))) return true;
    if (waited >= ms) return false;
    clock_.sleep_for(std::chrono::milliseconds(kPollMs));
  }
}

core::Status Containers::logs(const std::string& name, bool follow,
                              const std::function<core::Status(std::string_view)>& sink) {
  DISTILL_TRY(find(name, "logs"));
  const std::string path = store_.log_path(name);
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return core::make_error(path, std::string("cannot open: ") + std::strerror(errno));
  std::string buf(1 << 16, '\0');
  auto drain = [&]() -> core::Status {
    for (;;) {
      ssize_t n = core::read_some(fd.get(), buf.data(), buf.size());
      if (n < 0) return core::make_error(path, std::string("cannot read: ") + std::strerror(errno));
      if (n == 0) return core::Status::Ok();
      DISTILL_TRY(sink(std::string_view(buf.data(), static_cast<size_t>(n))));
    }
  };
  DISTILL_TRY(drain());
  // Status first, then the rest: what it wrote before it exited is all there.
  while (follow) {
    bool up = is_up(runc_status(name));
    DISTILL_TRY(drain());
    if (!up) break;
    clock_.sleep_for(std::chrono::milliseconds(kPollMs));
  }
  return core::Status::Ok();
}

core::Status Containers::stop(const std::string& name, int grace_seconds) {
  DISTILL_ASSIGN(ContainerRecord record, find(name, "stop"));
  DISTILL_ASSIGN(core::UniqueFd lock, store_.try_lock(name));
  if (!lock)
    return core::make_error("stop " + name, "is being created or stopped by another distill",
                            "try again in a moment");
  // Written first: should we die from here on, the next ps finishes the job.
  record.phase = Phase::kRemoving;
  DISTILL_TRY(store_.write_record(record));
  if (is_up(runc_status(name))) {
    (void)executor_.run_captured(runc_command({"kill", name, "SIGTERM"}));
    if (!wait_stopped(name, grace_seconds * 1000)) {
      (void)executor_.run_captured(runc_command({"kill", name, "SIGKILL"}));
      (void)wait_stopped(name, kKillWaitMs);
    }
  }
  // Its monitor records the exit and ends with the container: not removed under it.
  wait_monitor(store_, name, kKillWaitMs);
  remove_container(name);
  return core::Status::Ok();
}

core::Result<int> Containers::exec(const std::string& name, const std::vector<std::string>& args,
                                   bool tty) {
  DISTILL_ASSIGN(ContainerRecord record, find(name, "exec"));
  if (args.empty())
    return core::make_error("exec " + name, "no command given", "distill exec NAME CMD [ARGS...]");
  if (tty) DISTILL_TRY(require_terminal("-t"));
  if (!is_up(runc_status(name)))
    return core::make_error("exec " + name, "is not running",
                            "distill logs " + name + " shows what it wrote");
  // runc exec runs the process of config.json (user, env, working folder,
  // capabilities) with these args; the pid file lets us forward signals.
  const std::string pid_file =
      store_.container_dir(name) + "/exec." + std::to_string(::getpid()) + ".pid";
  std::vector<std::string> argv = runc_command({"exec", "--pid-file", pid_file});
  if (tty) argv.push_back("--tty");
  argv.push_back(name);
  argv.insert(argv.end(), args.begin(), args.end());
  auto forward = [&](int sig) {
    auto text = core::read_file(pid_file);
    if (!text.ok()) return;
    int pid = std::atoi(text->c_str());
    if (pid > 1) ::kill(pid, sig);
  };
  auto code = executor_.run_attached(argv, forward, {});
  ::unlink(pid_file.c_str());
  return code;
}

core::Result<int> Containers::process_of(const std::string& name, const std::string& command) {
  DISTILL_TRY(find(name, command));
  auto r = executor_.run_captured(runc_command({"state", name}));
  int pid = 0;
  RuncStatus status = RuncStatus::kAbsent;
  if (r.ok() && r->exit_code == 0) {
    auto j = core::parse_json(r->out);
    if (j.ok() && j->is_object()) {
      status = parse_runc_status(j->value("status", ""));
      pid = j->value("pid", 0);
    }
  }
  if (!is_up(status) || pid <= 0)
    return core::make_error(command + " " + name, "is not running",
                            "distill logs " + name + " shows what it wrote");
  return pid;
}

core::Result<Containers> system_containers(RuncExecutor& executor) {
  DISTILL_TRY(require_root("containers"));
  DISTILL_ASSIGN(std::string runc, find_runc());
  return Containers(executor, runc, StateStore(StateStore::default_root()));
}

namespace {

std::string ago(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  auto unit = [](int64_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s") + " ago";
  };
  if (seconds < 60) return unit(seconds, "second");
  if (seconds < 3600) return unit(seconds / 60, "minute");
  if (seconds < 86400) return unit(seconds / 3600, "hour");
  return unit(seconds / 86400, "day");
}

std::string for_how_long(int64_t seconds) {
  if (seconds < 1) return "Less than a second";
  auto unit = [](int64_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  if (seconds < 60) return unit(seconds, "second");
  if (seconds < 3600) return unit(seconds / 60, "minute");
  if (seconds < 86400) return unit(seconds / 3600, "hour");
  return unit(seconds / 86400, "day");
}

// Docker's STATUS column.
std::string shown_status(const ContainerStatus& r, int64_t now) {
  if (r.status == "running" && r.record.phase == Phase::kRunning) {
    std::string up = "Up " + for_how_long(now - r.record.created);
    if (!r.health) return up;
    if (r.health->state.status == HealthStatus::kStarting) return up + " (health: starting)";
    return up + " (" + std::string(health_status_name(r.health->state.status)) + ")";
  }
  if (r.status == "exited")
    return r.exit ? "Exited (" + std::to_string(r.exit->code) + ")" : "Exited";
  return r.status;
}

std::string shown_command(const std::vector<std::string>& command) {
  std::string text = core::escape_control(core::join(command, " "), true);
  constexpr size_t kMax = 40;
  if (text.size() > kMax) text = text.substr(0, kMax - 3) + "...";
  return text;
}

}  // namespace

std::string ps_table(const std::vector<ContainerStatus>& rows, int64_t now) {
  std::vector<std::vector<std::string>> cells = {{"NAME", "IMAGE", "COMMAND", "CREATED", "STATUS"}};
  for (const auto& r : rows) {
    cells.push_back(
        {r.record.name, core::escape_control(r.record.image, true), shown_command(r.record.command),
         r.record.created > 0 ? ago(now - r.record.created) : "-", shown_status(r, now)});
  }
  std::vector<size_t> width(5, 0);
  for (const auto& row : cells)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 3, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string ps_json(const std::vector<ContainerStatus>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    out.push_back({{"name", r.record.name},
                   {"image", r.record.image},
                   {"digest", r.record.digest},
                   {"command", r.record.command},
                   {"created", r.record.created > 0 ? core::format_rfc3339(r.record.created) : ""},
                   {"pid", r.record.pid},
                   {"status", r.status},
                   {"exit_code", r.exit ? nlohmann::json(r.exit->code) : nlohmann::json()}});
    if (r.health) {
      out.back()["health"] = {
          {"status", std::string(health_status_name(r.health->state.status))},
          {"failing_streak", r.health->state.failing_streak},
          {"reason", r.health->state.reason},
          {"checked", r.health->checked > 0 ? core::format_rfc3339(r.health->checked) : ""}};
    } else {
      out.back()["health"] = nullptr;
    }
  }
  // JSON escapes control characters itself; bytes that are not UTF-8 are replaced.
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

core::Result<std::string> run_detached(const image::ImageOpener& open, const RunRequest& request,
                                       RuncExecutor& executor, const StateStore& store) {
  DISTILL_ASSIGN(RunOptions options, run_options(request));
  std::string name = request.name.empty() ? random_name() : request.name;
  DISTILL_TRY(validate_container_name(name));
  DISTILL_TRY(require_root("run"));
  DISTILL_ASSIGN(std::string runc, find_runc());
  DISTILL_TRY(store.prepare());
  Containers containers(executor, runc, store);
  (void)containers.list(true);  // leftovers first, so that their names are free
  // Held until the container runs or its folder is gone.
  SignalBlock block;
  DISTILL_ASSIGN(auto source, open());
  DISTILL_ASSIGN(const oci::PlatformImage* img, select_one_image(*source, request.platform));
  ContainerRecord record;
  record.name = name;
  record.image = request.image.empty() ? source->name().text : request.image;
  record.digest = img->manifest_descriptor.digest.str();
  auto args = process_args(img->config.config, options);
  if (args.ok()) record.command = *args;
  record.created = core::system_clock().now();
  DISTILL_ASSIGN(core::TempDir claim, store.claim(record));
  ClaimGuard guard(containers, name);
  DISTILL_ASSIGN(Container container,
                 Container::unpack(source->reader(), *img, executor, runc, source->name().text,
                                   cached_bundle(store.container_dir(name))));
  if (int sig = SignalBlock::pending())
    return core::make_error("run",
                            "interrupted by " + signal_name(sig) + " before the container started");
  std::optional<oci::Healthcheck> healthcheck;
  if (!request.no_healthcheck) {
    healthcheck = img->config.config.healthcheck;
    DISTILL_TRY(health_policy(healthcheck));  // refused before anything starts
  }
  // -p: the namespace is made first, as for a foreground run, and handed to
  // the container's process once it runs, so that pasta lasts as long as it.
  std::optional<PrivateNetwork> network;
  if (options.private_network) {
    DISTILL_ASSIGN(PrivateNetwork started,
                   PrivateNetwork::start(options.ports, store.container_dir(name)));
    network.emplace(std::move(started));
    options.netns_path = network->netns_path();
  }
  DISTILL_ASSIGN(auto runc_run,
                 container.detached_command(
                     options, {store.runc_root(), name, store.log_path(name),
                               store.runc_log_path(name), store.container_dir(name) + "/pid"}));
  MonitorRequest monitor{store.root(), name, runc, store.log_path(name), runc_run, healthcheck, 3};
  DISTILL_ASSIGN(int code, start_monitor(monitor));
  if (code != 0) {
    std::string failed = last_runc_error(store.runc_log_path(name));
    return core::make_error(
        "run",
        "runc could not start the container" + (failed.empty() ? std::string() : ": " + failed),
        "check the image's entrypoint, user and working directory");
  }
  auto state = executor.run_captured({runc, "--root", store.runc_root(), "state", name});
  if (state.ok() && state->exit_code == 0) {
    auto j = core::parse_json(state->out);
    if (j.ok() && j->is_object()) record.pid = j->value("pid", 0);
  }
  if (network) {
    if (record.pid <= 0)
      return core::make_error("run", "runc does not report the container's process",
                              "it may have exited at once; run it in the foreground to see why");
    DISTILL_TRY(network->hand_over(record.pid));
  }
  record.phase = Phase::kRunning;
  DISTILL_TRY(store.write_record(record));
  guard.commit();
  return name;
}

core::Result<int> run_named(const image::ImageOpener& open, const RunRequest& request,
                            RuncExecutor& executor, const StateStore& store) {
  if (request.name.empty()) return run_image(open, request, executor);
  DISTILL_TRY(run_options(request));
  DISTILL_TRY(validate_container_name(request.name));
  DISTILL_TRY(require_root("run"));
  DISTILL_ASSIGN(std::string runc, find_runc());
  DISTILL_TRY(store.prepare());
  Containers containers(executor, runc, store);
  (void)containers.list(true);
  ContainerRecord record;
  record.name = request.name;
  record.image = request.image;
  record.command = request.args;
  record.created = core::system_clock().now();
  record.pid = ::getpid();
  record.phase = Phase::kForeground;
  // Locked while this run lasts: ps shows it running, and when we die the
  // lock goes with us and the next ps removes the folder.
  DISTILL_ASSIGN(core::TempDir claim, store.claim(record));
  ClaimGuard guard(containers, request.name);
  return run_image(open, request, executor);
}

}  // namespace distill::runtime
