#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands_list.hpp"
#include "cli/session.hpp"
#include "core/strings.hpp"
#include "core/units.hpp"
#include "debian/solve.hpp"

namespace distill::cli {
namespace {

nlohmann::json solution_json(const debian::ArchSolution& s) {
  nlohmann::json pkgs = nlohmann::json::array(), dropped = nlohmann::json::array();
  for (const auto& rp : s.resolution.packages) {
    const auto& e = *rp.entry;
    pkgs.push_back({{"name", e.name},
                    {"version", e.version},
                    {"architecture", e.architecture},
                    {"size", e.size},
                    {"installed_size_kib", e.installed_size},
                    {"sha256", e.sha256},
                    {"filename", e.filename},
                    {"suite", e.origin->suite},
                    {"requested", rp.requested},
                    {"required_by", rp.required_by}});
  }
  for (const auto& d : s.resolution.dropped)
    dropped.push_back({{"from", d.from}, {"to", d.to}, {"reason", d.reason}});
  return {{"packages", pkgs}, {"dropped", dropped}};
}

void print_table(const std::string& distro, const debian::ArchSolution& s) {
  uint64_t total = 0, installed = 0;
  size_t w_name = 7, w_ver = 7;
  for (const auto& rp : s.resolution.packages) {
    total += rp.entry->size;
    installed += rp.entry->installed_size * 1024;
    w_name = std::max(w_name, rp.entry->name.size());
    w_ver = std::max(w_ver, rp.entry->version.size());
  }
  size_t count = s.resolution.packages.size();
  std::printf("# %s %s: %zu package%s, %s to download, %s installed\n", distro.c_str(),
              s.arch.c_str(), count, count == 1 ? "" : "s", core::human_size(total).c_str(),
              core::human_size(installed).c_str());
  std::string header = fmt::format("{:<{}}  {:<{}}  {:<6}  {:>10}  {}", "PACKAGE", w_name,
                                   "VERSION", w_ver, "ARCH", "SIZE", "REQUIRED BY");
  std::printf("%s\n", header.c_str());
  for (const auto& rp : s.resolution.packages) {
    const auto& e = *rp.entry;
    std::string why = rp.requested ? "(requested)" : core::join(rp.required_by, ", ");
    if (rp.requested && !rp.required_by.empty()) why += ", " + core::join(rp.required_by, ", ");
    std::string line = fmt::format("{:<{}}  {:<{}}  {:<6}  {:>10}  {}", e.name, w_name, e.version,
                                   w_ver, e.architecture, core::human_size(e.size), why);
    std::printf("%s\n", line.c_str());
  }
  for (const auto& d : s.resolution.dropped) std::printf("%s\n", d.str().c_str());
}

}  // namespace

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
              if (*json) {
                nlohmann::json archs = nlohmann::json::object();
                for (const auto& s : solutions) archs[s.arch] = solution_json(s);
                nlohmann::json root = {{"distro", o->distro}, {"archs", archs}};
                std::printf("%s\n", root.dump(2).c_str());
                return core::Status::Ok();
              }
              for (const auto& s : solutions) print_table(o->distro, s);
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
