#include <cstdio>

#include "cli/commands_list.hpp"
#include "cli/session.hpp"
#include "core/file_util.hpp"
#include "core/units.hpp"
#include "debian/lock_fetch.hpp"
#include "debian/solve.hpp"

namespace distill::cli {
namespace {

struct FetchOptions {
  ResolveOptions resolve;
  std::string lock_path;
  std::string out_dir;
};

// The packages to fetch, per architecture: from the lockfile when given (the
// request options are then taken from it), else freshly resolved.
core::Result<debian::Lockfile> plan(const GlobalOptions& g, FetchOptions& o,
                                    std::unique_ptr<Session>& session) {
  if (!o.lock_path.empty()) {
    if (!o.resolve.packages.empty())
      return core::make_error("fetch", "packages and --lock given together",
                              "the lockfile already names the packages");
    DISTILL_ASSIGN(std::string text, core::read_file(o.lock_path));
    DISTILL_ASSIGN(debian::Lockfile lock, debian::Lockfile::parse(text, o.lock_path));
    DISTILL_ASSIGN(session, open_session(g, lock.distro));
    return debian::lock_for_archs(std::move(lock), o.resolve.archs, o.lock_path);
  }
  if (o.resolve.packages.empty())
    return core::make_error("fetch", "nothing to fetch", "name packages or pass --lock FILE");
  DISTILL_ASSIGN(auto solutions, solve_all(g, o.resolve, session));
  debian::Lockfile lock;
  lock.distro = o.resolve.distro;
  for (const auto& s : solutions) lock.archs[s.arch] = debian::lock_arch(s);
  return lock;
}

}  // namespace

Command fetch_command() {
  return {"fetch", "Download packages (resolved or from a lockfile) into the verified cache",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto o = std::make_shared<FetchOptions>();
            add_resolve_options(sub, o->resolve, false);
            sub.add_option("--lock", o->lock_path, "Fetch exactly what this lockfile pins");
            sub.add_option("-o,--output", o->out_dir, "Also copy the .deb files into this folder");
            return [&g, o]() -> core::Status {
              std::unique_ptr<Session> session;
              DISTILL_ASSIGN(debian::Lockfile lock, plan(g, *o, session));
              return debian::fetch_locked(
                  *session->repo, lock, o->out_dir, [&](const debian::FetchedArch& f) {
                    if (!g.quiet)
                      std::fprintf(stderr, "distill: %s: %zu packages verified (%s)\n",
                                   f.arch.c_str(), f.packages, core::human_size(f.bytes).c_str());
                  });
            };
          }};
}

}  // namespace distill::cli
