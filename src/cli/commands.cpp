#include "cli/command.hpp"
#include "cli/commands_list.hpp"

namespace distill::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      resolve_command(), lock_command(),    fetch_command(),
      build_command(),   inspect_command(), import_command(),
      sbom_command(),    db_command(),      scan_command(),
      lint_command(),    compare_command(), probe_command(),
      run_command(),     ps_command(),      logs_command(),
      stop_command(),    exec_command(),    test_command(),
      push_command(),    pull_command(),    copy_command(),
      login_command(),   logout_command(),  key_command(),
      sign_command(),    attest_command(),  verify_command(),
      debug_command(),   cache_command(),   container_monitor_command(),
  };
  return table;
}

}  // namespace distill::cli
