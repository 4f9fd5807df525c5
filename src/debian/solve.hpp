#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "debian/lockfile.hpp"
#include "debian/package_index.hpp"
#include "debian/policy.hpp"
#include "debian/repository.hpp"
#include "debian/resolver.hpp"

namespace distill::debian {

// Everything one architecture's resolution produced. The universe owns the
// indices that the resolution's entries point into.
struct ArchSolution {
  std::string arch;
  PackageUniverse universe;
  Resolution resolution;
};

struct SolveRequest {
  std::vector<std::string> packages;
  std::vector<std::string> exclude;
  Policy policy = Policy::distroless();
};

// Loads the verified indices for `arch` and resolves the request in them.
core::Result<ArchSolution> solve_arch(Repository& repo, const std::string& arch,
                                      const SolveRequest& request);

LockedArch lock_arch(const ArchSolution& solution);

// The pin of one index entry: what a lockfile records for it.
LockedPackage locked_package(const PackageEntry& e);

// What to download for a locked architecture, each file from the mirror that
// serves its suite.
std::vector<PackageFetch> fetch_list(const Repository& repo, const LockedArch& locked);
std::vector<PackageFetch> fetch_list(const Repository& repo,
                                     const std::vector<LockedPackage>& packages);

// The architecture distill itself runs on, in Debian's naming.
std::string host_arch();

}  // namespace distill::debian
