#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "runtime/lifecycle.hpp"

namespace distill::cli {
namespace {

struct StopArgs {
  std::string name;
  int grace = runtime::SystemRuncExecutor::kDefaultGraceSeconds;
};

}  // namespace

Command stop_command() {
  return {"stop", "Stop a container of distill run -d (SIGTERM, then SIGKILL) and remove it",
          [](CLI::App& sub, GlobalOptions&) -> Action {
            auto a = std::make_shared<StopArgs>();
            sub.add_option("name", a->name, "The container's name (distill ps)")->required();
            sub.add_option("-t,--time", a->grace,
                           "Seconds between SIGTERM and SIGKILL (default 10)")
                ->check(CLI::Range(0, 3600));
            return [a]() -> core::Status {
              runtime::SystemRuncExecutor executor;
              DISTILL_ASSIGN(runtime::Containers containers, runtime::system_containers(executor));
              DISTILL_TRY(containers.stop(a->name, a->grace));
              std::printf("%s\n", a->name.c_str());
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
