#include "cli/app.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "cli/command.hpp"
#include "core/strings.hpp"
#include "core/suggest.hpp"

namespace distill::cli {
namespace {

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_flag("-q,--quiet", g.quiet, "No progress output")->configurable(false);
  app.add_option("--cache-dir", g.cache_dir, "Cache folder (default $XDG_CACHE_HOME/distill)");
  app.add_option("--mirror", g.mirror, "Debian mirror URL (default: the host's apt sources)");
  app.add_option(
      "--security-mirror", g.security_mirror,
      "Base URL of the -security suites (default: from apt sources, else MIRROR-security)");
  app.add_option("--keyring", g.keyring,
                 "OpenPGP keyring that signs the Release files (default: debian-archive-keyring)");
  app.add_flag("--offline", g.offline, "Use only cached, still-valid indices and packages");
  app.add_option("--components", g.components, "Archive components, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
}

// 3 tells "the check ran and failed" (scan --fail-on) from "it could not run" (1).
int exit_code_for(const core::Error& e) {
  return e.code == core::ErrorCode::kPolicyFailed ? kExitPolicyFailed : 1;
}

// The first word that is neither an option nor an option's value: what the
// user meant as the subcommand. Empty when there is none.
std::string first_word(int argc, char** argv) {
  static const std::set<std::string_view> kTakesValue = {
      "--cache-dir", "--mirror", "--security-mirror", "--keyring", "--components"};
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") return {};
    if (arg.starts_with("-")) {
      if (kTakesValue.count(arg)) ++i;
      continue;
    }
    return std::string(arg);
  }
  return {};
}

// CLI11 reports `distill biuld` as a missing subcommand; say what was typed
// and what it is probably a typo of.
std::optional<std::string> unknown_command(int argc, char** argv) {
  std::string word = first_word(argc, argv);
  if (word.empty()) return std::nullopt;
  std::vector<std::string> names;
  for (const Command& cmd : commands()) names.push_back(cmd.name);
  if (std::find(names.begin(), names.end(), word) != names.end()) return std::nullopt;
  std::string near = core::closest_match(word, names);
  std::string hint = near.empty() ? "see 'distill --help'"
                                  : fmt::format("did you mean '{}'? see 'distill --help'", near);
  return fmt::format("'{}' is not a distill command ({})", core::escape_control(word), hint);
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"distill: distroless container images from Debian packages", "distill"};
  app.set_version_flag("--version", std::string("distill ") + DISTILL_VERSION);
  app.require_subcommand(1);
  GlobalOptions global;
  add_global_options(app, global);

  Action chosen;
  for (const Command& cmd : commands()) {
    CLI::App* sub = app.add_subcommand(cmd.name, cmd.summary);
    if (*cmd.summary == '\0') sub->group("");  // internal: left out of --help
    sub->fallthrough();                        // global options may follow the subcommand too
    Action action = cmd.setup(*sub, global);
    sub->callback([&chosen, action] { chosen = action; });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    if (auto what = unknown_command(argc, argv)) {
      std::fprintf(stderr, "distill: error: command line: %s\n", what->c_str());
      return 2;
    }
    std::fprintf(stderr, "distill: error: command line: %s (see 'distill --help')\n", e.what());
    return 2;
  }

  try {
    core::Status status = chosen();
    if (!status.ok()) {
      std::fprintf(stderr, "distill: error: %s\n", status.error().message().c_str());
      return exit_code_for(status.error());
    }
    return global.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "distill: error: internal: %s (please report this)\n", e.what());
    return 70;
  }
}

}  // namespace distill::cli
