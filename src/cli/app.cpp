#include "cli/app.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "cli/command.hpp"

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
    sub->fallthrough();  // global options may follow the subcommand too
    Action action = cmd.setup(*sub, global);
    sub->callback([&chosen, action] { chosen = action; });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
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
