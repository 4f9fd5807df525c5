#include <fmt/format.h>

#include <cstdio>

#include "cli/commands_list.hpp"
#include "cli/session.hpp"
#include "core/file_util.hpp"
#include "core/units.hpp"
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
    if (!o.resolve.archs.empty()) {
      std::map<std::string, debian::LockedArch> keep;
      for (const auto& a : o.resolve.archs) {
        auto it = lock.archs.find(a);
        if (it == lock.archs.end())
          return core::make_error(o.lock_path, "no packages locked for " + a,
                                  "run 'distill lock --arch " + a + "'");
        keep[a] = it->second;
      }
      lock.archs = std::move(keep);
    }
    return lock;
  }
  if (o.resolve.packages.empty())
    return core::make_error("fetch", "nothing to fetch", "name packages or pass --lock FILE");
  DISTILL_ASSIGN(auto solutions, solve_all(g, o.resolve, session));
  debian::Lockfile lock;
  lock.distro = o.resolve.distro;
  for (const auto& s : solutions) lock.archs[s.arch] = debian::lock_arch(s);
  return lock;
}

core::Status copy_out(const std::string& dir, const debian::LockedPackage& p,
                      const std::string& cached) {
  DISTILL_ASSIGN(std::string data, core::read_file(cached));
  std::string version = p.version;
  // Debian's own pool names drop the epoch's colon the same way.
  for (char& c : version)
    if (c == ':') c = '%';
  return core::write_file_atomic(
      fmt::format("{}/{}_{}_{}.deb", dir, p.name, version, p.architecture), data);
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
              if (!o->out_dir.empty()) DISTILL_TRY(core::make_dirs(o->out_dir));
              for (const auto& [arch, locked] : lock.archs) {
                // A spec's lock also pins the packages the build reads data from.
                std::vector<debian::LockedPackage> all = locked.packages;
                all.insert(all.end(), locked.extract.begin(), locked.extract.end());
                auto items = debian::fetch_list(*session->repo, all);
                DISTILL_ASSIGN(auto paths, session->repo->fetch(items));
                uint64_t total = 0;
                for (size_t i = 0; i < items.size(); ++i) {
                  total += items[i].size;
                  if (!o->out_dir.empty()) DISTILL_TRY(copy_out(o->out_dir, all[i], paths[i]));
                }
                if (!g.quiet)
                  std::fprintf(stderr, "distill: %s: %zu packages verified (%s)\n", arch.c_str(),
                               items.size(), core::human_size(total).c_str());
              }
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
