#include "debian/lock_fetch.hpp"

#include <fmt/format.h>

#include <map>

#include "core/file_util.hpp"
#include "debian/package_name.hpp"
#include "debian/solve.hpp"

namespace distill::debian {
namespace {

// Copies a cached, verified .deb into `dir` under its pool-style name. The
// name comes from the index or lockfile, so it is checked to be one plain
// file name first; the bytes stream, however big the package.
core::Status copy_deb_out(const std::string& dir, const LockedPackage& p,
                          const std::string& cached) {
  DISTILL_ASSIGN(std::string name, deb_file_name(p.name, p.version, p.architecture));
  return core::copy_file_atomic(cached, dir + "/" + name);
}

}  // namespace

core::Result<Lockfile> lock_for_archs(Lockfile lock, const std::vector<std::string>& archs,
                                      const std::string& lock_path) {
  if (archs.empty()) return lock;
  std::map<std::string, LockedArch> keep;
  for (const auto& a : archs) {
    auto it = lock.archs.find(a);
    if (it == lock.archs.end())
      return core::make_error(lock_path, "no packages locked for " + a,
                              "run 'distill lock --arch " + a + "'");
    keep[a] = it->second;
  }
  lock.archs = std::move(keep);
  return lock;
}

core::Status fetch_locked(Repository& repo, const Lockfile& lock, const std::string& out_dir,
                          const std::function<void(const FetchedArch&)>& on_arch) {
  if (!out_dir.empty()) DISTILL_TRY(core::make_dirs(out_dir));
  for (const auto& [arch, locked] : lock.archs) {
    std::vector<LockedPackage> all = locked.packages;
    all.insert(all.end(), locked.extract.begin(), locked.extract.end());
    auto items = fetch_list(repo, all);
    DISTILL_ASSIGN(auto paths, repo.fetch(items));
    FetchedArch fetched{arch, items.size(), 0};
    for (size_t i = 0; i < items.size(); ++i) {
      fetched.bytes += items[i].size;
      if (!out_dir.empty()) DISTILL_TRY(copy_deb_out(out_dir, all[i], paths[i]));
    }
    if (on_arch) on_arch(fetched);
  }
  return core::Status::Ok();
}

}  // namespace distill::debian
