#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "oci/image_config.hpp"
#include "runtime/state_store.hpp"

namespace distill::runtime {

// What the monitor of a detached container is told (docs/run.md, "Detached
// containers"). `runc_run` is the whole `runc ... run -d --pid-file ...`
// command line; its output goes to `log`.
struct MonitorRequest {
  std::string state_root;
  std::string name;
  std::string runc;
  std::string log;
  std::vector<std::string> runc_run;
  std::optional<oci::Healthcheck> healthcheck;
  int report_fd = 3;
};

// The monitor, the process of the hidden `distill container-monitor`, much
// like containerd's shim: a child subreaper that runs `runc run -d`, so the
// container's process 1 becomes its child; writes runc's exit code as one
// line to `report_fd` and closes it; then, while the container lives, runs
// its healthcheck on the interval and records each result (health.json),
// and when process 1 exits records its exit code (exit.json) and ends. It
// holds the flock of monitor.lock all along: `stop` waits for it. Returns
// the process's exit code.
int run_monitor(const MonitorRequest& request);

// `distill container-monitor`'s one argument: the request as JSON, and back.
std::string monitor_request_json(const MonitorRequest& request);
core::Result<MonitorRequest> parse_monitor_request(std::string_view json);

// How `run -d` starts it: this distill (/proc/self/exe) spawned in a
// session of its own, stdio on /dev/null, the report pipe as fd 3. Returns
// runc's exit code once the monitor reports it; an error when the monitor
// ends first.
core::Result<int> start_monitor(const MonitorRequest& request);

// Waits up to `ms` for the monitor of `name` to end (its lock free); then
// kills what is left of it. A folder without a monitor returns at once.
void wait_monitor(const StateStore& store, const std::string& name, int ms);

}  // namespace distill::runtime
