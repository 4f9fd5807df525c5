#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "core/clock.hpp"
#include "runtime/lifecycle.hpp"

namespace distill::cli {
namespace {

struct PsArgs {
  bool all = false;
  std::string format = "table";
};

}  // namespace

Command ps_command() {
  return {"ps", "List the containers of distill run -d and named runs (removing leftovers)",
          [](CLI::App& sub, GlobalOptions&) -> Action {
            auto a = std::make_shared<PsArgs>();
            sub.add_flag("-a,--all", a->all, "Show exited containers too");
            sub.add_option("--format", a->format, "table or json")
                ->check(CLI::IsMember({"table", "json"}))
                ->capture_default_str();
            return [a]() -> core::Status {
              runtime::SystemRuncExecutor executor;
              DISTILL_ASSIGN(runtime::Containers containers, runtime::system_containers(executor));
              auto rows = containers.list(a->all);
              std::string text = a->format == "json"
                                     ? runtime::ps_json(rows)
                                     : runtime::ps_table(rows, core::system_clock().now());
              std::fwrite(text.data(), 1, text.size(), stdout);
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
