#include <memory>
#include <string>
#include <vector>

#include "cli/commands_list.hpp"
#include "runtime/lifecycle.hpp"

namespace distill::cli {
namespace {

struct ExecArgs {
  std::string name;
  std::vector<std::string> args;
  bool interactive = false;
  bool tty = false;
};

}  // namespace

Command exec_command() {
  return {"exec", "Run a command in a running container of distill run -d",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto a = std::make_shared<ExecArgs>();
            sub.add_option("name", a->name, "The container's name (distill ps)")->required();
            sub.add_option("args", a->args, "The command and its arguments (after --)")->required();
            sub.add_flag("-i,--interactive", a->interactive, "Attach stdin (default: /dev/null)");
            sub.add_flag("-t,--tty", a->tty, "A terminal for the command (stdin must be one)");
            sub.positionals_at_end();
            return [&g, a]() -> core::Status {
              std::vector<std::string> args = a->args;
              if (!args.empty() && args.front() == "--") args.erase(args.begin());
              runtime::SystemRuncExecutor executor(
                  runtime::SystemRuncExecutor::kDefaultGraceSeconds, a->interactive || a->tty);
              DISTILL_ASSIGN(runtime::Containers containers, runtime::system_containers(executor));
              // The command's exit code is ours.
              DISTILL_ASSIGN(g.exit_code, containers.exec(a->name, args, a->tty));
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
