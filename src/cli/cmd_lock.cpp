#include <cstdio>

#include "builder/image_builder.hpp"
#include "builder/spec.hpp"
#include "cli/commands_list.hpp"
#include "cli/session.hpp"
#include "core/file_util.hpp"
#include "debian/solve.hpp"

namespace distill::cli {
namespace {

core::Status lock_from_spec(const GlobalOptions& g, const std::string& spec_path,
                            const std::vector<std::string>& archs, const std::string& out) {
  DISTILL_ASSIGN(builder::Spec spec, builder::load_spec(spec_path));
  DISTILL_ASSIGN(auto session, open_session(g, spec));
  DISTILL_ASSIGN(debian::Lockfile lock,
                 builder::lock_spec(spec, archs, *session->repo, *session->cache));
  DISTILL_TRY(core::write_file_atomic(out, lock.to_json()));
  size_t count = 0;
  for (const auto& [arch, locked] : lock.archs) count += locked.packages.size();
  if (!g.quiet)
    std::fprintf(stderr, "distill: locked %zu packages of %s for %zu architecture(s) in %s\n",
                 count, spec_path.c_str(), lock.archs.size(), out.c_str());
  return core::Status::Ok();
}

}  // namespace

Command lock_command() {
  return {"lock", "Resolve and pin every package and index by SHA-256 into distill.lock",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto o = std::make_shared<ResolveOptions>();
            auto out = std::make_shared<std::string>("distill.lock");
            auto spec_path = std::make_shared<std::string>();
            add_resolve_options(sub, *o, false);
            sub.add_option("-f,--file", *spec_path,
                           "Lock what this spec's image holds (for 'distill build --lock')");
            sub.add_option("-o,--output", *out, "Lockfile to write")->capture_default_str();
            return [&g, o, out, spec_path]() -> core::Status {
              if (!spec_path->empty() && !o->packages.empty())
                return core::make_error("lock", "packages and -f given together",
                                        "the spec already names the packages");
              if (!spec_path->empty()) return lock_from_spec(g, *spec_path, o->archs, *out);
              if (o->packages.empty())
                return core::make_error("lock", "nothing to lock",
                                        "name packages or pass -f distill.yaml");
              std::unique_ptr<Session> session;
              DISTILL_ASSIGN(auto solutions, solve_all(g, *o, session));
              debian::Lockfile lock;
              lock.distro = o->distro;
              lock.packages = o->packages;
              lock.exclude = o->exclude;
              size_t count = 0;
              for (const auto& s : solutions) {
                lock.archs[s.arch] = debian::lock_arch(s);
                count += s.resolution.packages.size();
              }
              DISTILL_TRY(core::write_file_atomic(*out, lock.to_json()));
              if (!g.quiet)
                std::fprintf(stderr, "distill: locked %zu packages for %zu architecture(s) in %s\n",
                             count, solutions.size(), out->c_str());
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
