#pragma once

#include <memory>
#include <vector>

#include "cli/command.hpp"
#include "cli/session.hpp"
#include "debian/solve.hpp"

namespace distill::cli {

// One factory per subcommand, each in cli/cmd_<name>.cpp.
Command resolve_command();
Command lock_command();
Command fetch_command();
Command build_command();
Command inspect_command();
Command import_command();
Command sbom_command();
Command db_command();
Command scan_command();
Command lint_command();
Command compare_command();
Command probe_command();
Command run_command();
Command ps_command();
Command logs_command();
Command stop_command();
Command exec_command();
Command debug_command();
Command test_command();
Command push_command();
Command pull_command();
Command copy_command();
Command login_command();
Command logout_command();
Command key_command();
Command sign_command();
Command attest_command();
Command verify_command();
Command cache_command();
// Hidden (no summary): the monitor `run -d` starts for each detached container.
Command container_monitor_command();

// Resolves opts.packages for every requested architecture (cmd_resolve.cpp).
core::Result<std::vector<debian::ArchSolution>> solve_all(const GlobalOptions& g,
                                                          const ResolveOptions& opts,
                                                          std::unique_ptr<Session>& session);

}  // namespace distill::cli
