#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace distill::cli {

// Options every subcommand understands.
struct GlobalOptions {
  bool quiet = false;
  std::string cache_dir;                           // default $XDG_CACHE_HOME/distill
  std::string mirror;                              // overrides the host's apt sources
  std::string security_mirror;                     // overrides the -security suite's base URL
  std::string keyring;                             // OpenPGP keyring for Release signatures
  bool offline = false;                            // use only what the cache holds
  std::vector<std::string> components = {"main"};  // archive components to read
  // Set by an action that succeeds with an exit code of its own (run passes
  // the container's through); 0 otherwise.
  int exit_code = 0;
};

using Action = std::function<core::Status()>;

// One row of the subcommand table: the name, a one-line summary and a setup
// function that declares the subcommand's options and returns its action.
struct Command {
  const char* name;
  const char* summary;
  std::function<Action(CLI::App& sub, GlobalOptions& global)> setup;
};

const std::vector<Command>& commands();

}  // namespace distill::cli
