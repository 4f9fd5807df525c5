#pragma once

namespace distill::cli {

// Exit codes: 0 success, 1 an error (one `distill: error:` line), 2 a
// command-line mistake, 3 a check that ran and failed (`scan --fail-on`),
// 70 an internal error; `run` passes the container's own code through.
inline constexpr int kExitPolicyFailed = 3;

// Parses the command line, runs one subcommand and maps its outcome to an
// exit code. The only place exceptions are caught.
int run(int argc, char** argv);

}  // namespace distill::cli
