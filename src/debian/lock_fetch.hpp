#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "debian/lockfile.hpp"
#include "debian/repository.hpp"

namespace distill::debian {

// `lock` narrowed to `archs` (every arch when empty); an arch it does not
// pin is an error about `lock_path`.
core::Result<Lockfile> lock_for_archs(Lockfile lock, const std::vector<std::string>& archs,
                                      const std::string& lock_path);

struct FetchedArch {
  std::string arch;
  size_t packages = 0;
  uint64_t bytes = 0;
};

// `distill fetch`: downloads every package `lock` pins, per architecture,
// into the verified cache (a spec's lock also pins the packages a build
// reads data from), and copies the .deb files into `out_dir` (created) when
// given, named as Debian's pool names them. `on_arch` hears of each
// architecture once its packages are in.
core::Status fetch_locked(Repository& repo, const Lockfile& lock, const std::string& out_dir,
                          const std::function<void(const FetchedArch&)>& on_arch);

}  // namespace distill::debian
