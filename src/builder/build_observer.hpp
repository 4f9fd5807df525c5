#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "verify/elf_deps.hpp"

namespace distill::builder {

// What a build tells its front end while it runs (the library never
// prints; the CLI does). Every method does nothing by default.
class BuildObserver {
 public:
  virtual ~BuildObserver() = default;

  // The ELF dependency findings of the files a spec adds to `arch`'s image:
  // fatal ones (the build then fails), optional and acknowledged ones.
  virtual void elf_findings(const std::string& /*arch*/,
                            const std::vector<verify::ElfFinding>& /*findings*/) {}

  // Other problems of the files a spec adds (Python extensions built for
  // another interpreter), one line each, just before the build fails on them.
  virtual void app_errors(const std::string& /*arch*/, const std::vector<core::Error>& /*errors*/) {
  }

  // A cache repository entry refused (it did not verify) or not reachable
  // or writable: one line; the build goes on without it.
  virtual void cache_warning(const std::string& /*line*/) {}
};

// An observer that ignores everything: what options without one get.
inline BuildObserver& no_build_observer() {
  static BuildObserver none;
  return none;
}

}  // namespace distill::builder
