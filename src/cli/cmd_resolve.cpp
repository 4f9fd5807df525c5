#include <fmt/format.h>

#include "cli/commands_list.hpp"

namespace distill::cli {

Command resolve_command() {
  return {"resolve", "Resolve packages and their dependencies under the distroless policy",
          [](CLI::App& sub, GlobalOptions&) -> Action {
            auto pkgs = std::make_shared<std::vector<std::string>>();
            sub.add_option("packages", *pkgs, "Packages to resolve")->required();
            return [pkgs]() -> core::Status {
              return core::make_error("resolve", "not implemented yet");
            };
          }};
}

}  // namespace distill::cli
