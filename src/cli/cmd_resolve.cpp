#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/session.hpp"
#include "debian/resolution_report.hpp"
#include "debian/solve.hpp"

namespace distill::cli {

core::Result<std::vector<debian::ArchSolution>> solve_all(const GlobalOptions& g,
                                                          const ResolveOptions& o,
                                                          std::unique_ptr<Session>& session) {
  DISTILL_ASSIGN(session, open_session(g, o.distro));
  debian::SolveRequest req;
  req.packages = o.packages;
  req.exclude = o.exclude;
  req.policy.allow_shells = o.allow_shell;
  std::vector<debian::ArchSolution> out;
  for (const auto& arch : effective_archs(o)) {
    DISTILL_ASSIGN(debian::ArchSolution s, debian::solve_arch(*session->repo, arch, req));
    out.push_back(std::move(s));
  }
  return out;
}

Command resolve_command() {
  return {"resolve", "Resolve packages and their dependencies under the distroless policy",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto o = std::make_shared<ResolveOptions>();
            auto json = std::make_shared<bool>(false);
            add_resolve_options(sub, *o, true);
            sub.add_flag("--json", *json, "Print JSON for scripts");
            return [&g, o, json]() -> core::Status {
              std::unique_ptr<Session> session;
              DISTILL_ASSIGN(auto solutions, solve_all(g, *o, session));
              std::string out;
              if (*json) out = debian::resolutions_json(o->distro, solutions).dump(2) + "\n";
              for (const auto& s : solutions)
                if (!*json) out += debian::resolution_table(o->distro, s);
              std::fwrite(out.data(), 1, out.size(), stdout);
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
