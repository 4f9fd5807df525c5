#include "cli/command.hpp"
#include "cli/commands_list.hpp"

namespace distill::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      resolve_command(),
      lock_command(),
      fetch_command(),
      build_command(),
      inspect_command(),
  };
  return table;
}

}  // namespace distill::cli
