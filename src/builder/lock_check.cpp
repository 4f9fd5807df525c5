#include "builder/lock_check.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "builder/spec_request.hpp"

namespace distill::builder {
namespace {

constexpr const char* kRelockHint = "run 'distill lock -f <spec>' again";

core::Status check_locked_arch(const debian::Lockfile& lock, const std::string& where,
                               const std::string& arch, const std::vector<std::string>& extract) {
  auto it = lock.archs.find(arch);
  if (it == lock.archs.end())
    return core::make_error(where, "nothing locked for " + arch, kRelockHint);
  for (const auto& name : extract) {
    bool found = std::any_of(it->second.extract.begin(), it->second.extract.end(),
                             [&](const auto& p) { return p.name == name; });
    if (!found) return core::make_error(where, arch + ": " + name + " is not locked", kRelockHint);
  }
  return core::Status::Ok();
}

}  // namespace

core::Status check_lock(const debian::Lockfile& lock, const std::string& where, const Spec& spec,
                        const Preset& preset, const std::vector<std::string>& archs) {
  if (lock.distro != spec.distro)
    return core::make_error(
        where, fmt::format("locked for {}, the spec says {}", lock.distro, spec.distro),
        kRelockHint);
  debian::SolveRequest req = solve_request(spec, preset);
  if (sorted_unique(lock.packages) != sorted_unique(req.packages))
    return core::make_error(
        where, "its packages differ from the spec's (preset " + preset.name + " plus packages)",
        kRelockHint);
  if (sorted_unique(lock.exclude) != sorted_unique(req.exclude))
    return core::make_error(where, "its exclude list differs from the spec's", kRelockHint);
  for (const auto& arch : archs)
    DISTILL_TRY(check_locked_arch(lock, where, arch, extract_names(spec, preset)));
  return core::Status::Ok();
}

}  // namespace distill::builder
