#pragma once

namespace distill::cli {

// Parses the command line, runs one subcommand and maps its outcome to an
// exit code. The only place exceptions are caught.
int run(int argc, char** argv);

}  // namespace distill::cli
