#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "debian/package_index.hpp"
#include "debian/policy.hpp"

namespace distill::debian {

struct ResolveRequest {
  std::vector<std::string> roots;    // packages the user named, optionally "name (>= v)"
  std::vector<std::string> exclude;  // removed, and every edge to them dropped
  std::string arch;                  // amd64, arm64, ...
  std::string where;                 // context for errors, e.g. "bookworm/amd64"
};

struct ResolvedPackage {
  const PackageEntry* entry = nullptr;
  bool requested = false;                // named by the user
  std::vector<std::string> required_by;  // direct dependents, sorted
};

// A dependency the policy (or the exclude list) cut instead of following.
struct DroppedEdge {
  std::string from;    // depending package
  std::string to;      // the dependency group as written, e.g. "dpkg (>= 1.13.20)"
  std::string reason;  // "package manager", "shell", "essential", "excluded"
  // "python3-minimal -> dpkg: dropped (package manager)": a single dependency
  // is shown by its name, a group of alternatives as written.
  std::string str() const;
};

struct Resolution {
  std::vector<ResolvedPackage> packages;  // sorted by name
  std::vector<DroppedEdge> dropped;       // sorted
};

// Resolves Depends and Pre-Depends transitively, choosing the highest version
// across all suites, under the distroless policy. Unsatisfiable dependencies
// fail with the whole chain: "python3 -> python3.11 -> libexpat1 (>= 2.1~beta3):
// no candidate in bookworm/amd64". Deterministic for a given universe: the
// order of the indices only matters between equal versions of one package.
core::Result<Resolution> resolve(const PackageUniverse& universe, const ResolveRequest& request,
                                 const Policy& policy);

}  // namespace distill::debian
