#include "debian/solve.hpp"

namespace distill::debian {

core::Result<ArchSolution> solve_arch(Repository& repo, const std::string& arch,
                                      const SolveRequest& request) {
  DISTILL_ASSIGN(auto indices, repo.load_indices(arch));
  ArchSolution solution;
  solution.arch = arch;
  for (auto& index : indices) solution.universe.add(std::move(index));
  ResolveRequest rr;
  rr.roots = request.packages;
  rr.exclude = request.exclude;
  rr.arch = arch;
  rr.where = repo.config().distro.codename + "/" + arch;
  DISTILL_ASSIGN(solution.resolution, resolve(solution.universe, rr, request.policy));
  return solution;
}

LockedArch lock_arch(const ArchSolution& solution) {
  LockedArch locked;
  for (const auto& index : solution.universe.indices()) {
    const IndexOrigin& o = index->origin();
    locked.indices.push_back({o.suite, o.component, o.path, o.sha256});
  }
  for (const ResolvedPackage& rp : solution.resolution.packages)
    locked.packages.push_back(locked_package(*rp.entry));
  return locked;
}

LockedPackage locked_package(const PackageEntry& e) {
  return {std::string(e.name),
          std::string(e.version),
          std::string(e.architecture),
          e.origin->suite,
          std::string(e.filename),
          std::string(e.sha256),
          e.size};
}

std::vector<PackageFetch> fetch_list(const Repository& repo, const LockedArch& locked) {
  return fetch_list(repo, locked.packages);
}

std::vector<PackageFetch> fetch_list(const Repository& repo,
                                     const std::vector<LockedPackage>& packages) {
  std::vector<PackageFetch> items;
  for (const LockedPackage& p : packages)
    items.push_back({p.name, p.version, p.architecture, repo.base_url_for(p.suite), p.filename,
                     p.sha256, p.size});
  return items;
}

std::string host_arch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "i386";
#else
  return "unknown";
#endif
}

}  // namespace distill::debian
