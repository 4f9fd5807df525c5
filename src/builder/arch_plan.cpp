#include "builder/arch_plan.hpp"

#include "builder/spec_request.hpp"
#include "debian/solve.hpp"

namespace distill::builder {
namespace {

core::Result<SolvedArch> solve_fresh(const Spec& spec, const Preset& preset,
                                     debian::Repository& repo, const std::string& arch) {
  DISTILL_ASSIGN(debian::ArchSolution solution,
                 debian::solve_arch(repo, arch, solve_request(spec, preset)));
  SolvedArch out;
  out.locked = debian::lock_arch(solution);
  for (const auto& d : solution.resolution.dropped) out.dropped.push_back(d.str());
  for (const auto& name : extract_names(spec, preset)) {
    const auto& cands = solution.universe.candidates(name);
    if (cands.empty())
      return core::make_error(name,
                              "no such package in " + repo.config().distro.codename + "/" + arch);
    out.locked.extract.push_back(debian::locked_package(*cands.front()));
  }
  return out;
}

PlannedArch plan_from(const debian::Repository& repo, const std::string& arch,
                      const SolvedArch& solved) {
  PlannedArch plan;
  plan.arch = arch;
  for (const auto& p : solved.locked.packages) plan.packages.push_back(p.name + "=" + p.version);
  plan.dropped = solved.dropped;
  plan.installs = debian::fetch_list(repo, solved.locked.packages);
  plan.extract_only = debian::fetch_list(repo, solved.locked.extract);
  return plan;
}

}  // namespace

core::Result<SolvedArch> resolve_arch(const Spec& spec, const Preset& preset,
                                      debian::Repository& repo, cache::Cache& cache,
                                      const std::string& arch, const BuildOptions& opts) {
  DISTILL_ASSIGN(auto origins, repo.index_origins(arch));
  std::string key = resolution_key(spec, preset, arch, origins);
  if (opts.reuse_cache) {
    if (auto hit = cached_resolution(cache, key, arch, opts)) return std::move(*hit);
  }
  DISTILL_ASSIGN(SolvedArch solved, solve_fresh(spec, preset, repo, arch));
  // Only a cache; a failure to record it costs the next build time, not this one.
  (void)store_resolution(cache, key, spec.distro, arch, solved, opts);
  return solved;
}

core::Result<PlannedArch> plan_arch(const Spec& spec, const Preset& preset,
                                    debian::Repository& repo, cache::Cache& cache,
                                    const std::string& arch, const BuildOptions& opts) {
  if (opts.lock) return plan_from(repo, arch, SolvedArch{opts.lock->archs.at(arch), {}});
  DISTILL_ASSIGN(SolvedArch solved, resolve_arch(spec, preset, repo, cache, arch, opts));
  return plan_from(repo, arch, solved);
}

}  // namespace distill::builder
