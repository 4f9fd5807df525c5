#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "runtime/container_monitor.hpp"

namespace distill::cli {

Command container_monitor_command() {
  return {"container-monitor", "", [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto request = std::make_shared<std::string>();
            sub.add_option("request", *request, "JSON from distill run -d")->required();
            return [&g, request]() -> core::Status {
              DISTILL_ASSIGN(runtime::MonitorRequest r, runtime::parse_monitor_request(*request));
              g.exit_code = runtime::run_monitor(r);
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
