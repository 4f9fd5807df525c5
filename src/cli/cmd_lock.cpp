#include <cstdio>

#include "cli/commands_list.hpp"
#include "cli/session.hpp"
#include "core/file_util.hpp"
#include "debian/solve.hpp"

namespace distill::cli {

Command lock_command() {
  return {"lock", "Resolve and pin every package and index by SHA-256 into distill.lock",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto o = std::make_shared<ResolveOptions>();
            auto out = std::make_shared<std::string>("distill.lock");
            add_resolve_options(sub, *o, true);
            sub.add_option("-o,--output", *out, "Lockfile to write")->capture_default_str();
            return [&g, o, out]() -> core::Status {
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
