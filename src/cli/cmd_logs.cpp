#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "runtime/lifecycle.hpp"

namespace distill::cli {
namespace {

struct LogsArgs {
  std::string name;
  bool follow = false;
};

}  // namespace

Command logs_command() {
  return {"logs", "Print what a container of distill run -d wrote (stdout and stderr)",
          [](CLI::App& sub, GlobalOptions&) -> Action {
            auto a = std::make_shared<LogsArgs>();
            sub.add_option("name", a->name, "The container's name (distill ps)")->required();
            sub.add_flag("-f,--follow", a->follow, "Keep printing until the container exits");
            return [a]() -> core::Status {
              runtime::SystemRuncExecutor executor;
              DISTILL_ASSIGN(runtime::Containers containers, runtime::system_containers(executor));
              // The container's own bytes, as a foreground run passes them through.
              return containers.logs(a->name, a->follow, [](std::string_view chunk) {
                std::fwrite(chunk.data(), 1, chunk.size(), stdout);
                std::fflush(stdout);
                return core::Status::Ok();
              });
            };
          }};
}

}  // namespace distill::cli
