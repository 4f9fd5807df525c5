#pragma once

#include "cli/command.hpp"

namespace distill::cli {

// One factory per subcommand, each in cli/cmd_<name>.cpp.
Command resolve_command();

}  // namespace distill::cli
