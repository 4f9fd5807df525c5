#pragma once

#include <memory>
#include <vector>

#include "cli/command.hpp"
#include "cli/session.hpp"
#include "debian/solve.hpp"
#include "registry/copy.hpp"

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
Command test_command();
Command push_command();
Command pull_command();
Command copy_command();
Command login_command();
Command logout_command();

// Resolves opts.packages for every requested architecture (cmd_resolve.cpp).
core::Result<std::vector<debian::ArchSolution>> solve_all(const GlobalOptions& g,
                                                          const ResolveOptions& opts,
                                                          std::unique_ptr<Session>& session);

// --insecure, --ca-cert, --parallel for registry commands (cmd_push.cpp).
void add_registry_options(CLI::App& sub, registry::CopyOptions& options);
// Prints "DST@sha256:..." and, unless -q, the blob counts (cmd_push.cpp).
void print_copy_result(const GlobalOptions& g, const registry::CopyResult& result);
// Copies SRC to DST, prints "DST@sha256:..." (cmd_push.cpp).
core::Status run_copy(const GlobalOptions& g, const std::string& src, const std::string& dst,
                      registry::CopyOptions options);

}  // namespace distill::cli
