#include "builder/resolution_cache.hpp"

#include <nlohmann/json.hpp>
#include <string_view>

#include "builder/remote_cache.hpp"
#include "builder/spec_request.hpp"
#include "core/json.hpp"
#include "core/sha256.hpp"

namespace distill::builder {
namespace {

// Bumped when the resolver or policy changes, so an older distill's
// resolutions are never reused.
constexpr const char* kResolutionRecipeVersion = "distill-resolution-v1";

std::optional<SolvedArch> solved_from(const std::string& record, const std::string& arch) {
  auto lock = debian::Lockfile::parse(record, "resolution cache");
  auto j = core::parse_json(record);
  if (!lock.ok() || !j.ok() || !lock->archs.count(arch)) return std::nullopt;
  SolvedArch out;
  out.locked = lock->archs.at(arch);
  try {
    out.dropped = j->value("dropped", std::vector<std::string>{});
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::string resolution_key(const Spec& spec, const Preset& preset, const std::string& arch,
                           const std::vector<debian::IndexOrigin>& origins) {
  core::Sha256 h;
  auto line = [&h](std::string_view s) {
    h.update(s);
    h.update("\n");
  };
  line(kResolutionRecipeVersion);
  line(DISTILL_VERSION);
  line(arch);
  for (const auto& o : origins) line("index " + o.suite + " " + o.component + " " + o.sha256);
  debian::SolveRequest req = solve_request(spec, preset);
  for (const auto& p : sorted_unique(req.packages)) line("package " + p);
  for (const auto& p : sorted_unique(req.exclude)) line("exclude " + p);
  for (const auto& p : extract_names(spec, preset)) line("extract " + p);
  line(req.policy.allow_shells ? "shells" : "noshells");
  return h.hex_digest();
}

std::optional<SolvedArch> cached_resolution(cache::Cache& cache, const std::string& key,
                                            const std::string& arch, const BuildOptions& opts) {
  const std::string name = "resolution-" + key;
  if (auto record = cache.read_named(name)) {
    if (auto solved = solved_from(*record, arch)) {
      if (opts.cache_repo) {
        if (auto j = core::parse_json(*record); j.ok()) share_entry(opts, name, *j, nullptr);
      }
      return solved;
    }
  }
  if (!opts.cache_repo) return std::nullopt;
  auto found = opts.cache_repo->find(name);
  if (!found.ok()) {
    cache_repo_warning(opts, name, found.error().message() + "; resolving here");
    return std::nullopt;
  }
  if (!*found) return std::nullopt;
  const std::string text = (*found)->record.dump();
  auto solved = solved_from(text, arch);
  if (!solved || (*found)->blob) {
    cache_repo_warning(opts, name, "refused: not a resolution of " + arch + "; resolving here");
    return std::nullopt;
  }
  (void)cache.write_named(name, text);
  opts.cache_repo->stats().resolutions_pulled++;
  return solved;
}

core::Status store_resolution(cache::Cache& cache, const std::string& key,
                              const std::string& distro, const std::string& arch,
                              const SolvedArch& solved, const BuildOptions& opts) {
  debian::Lockfile lock;
  lock.distro = distro;
  lock.archs[arch] = solved.locked;
  DISTILL_ASSIGN(auto j, core::parse_json(lock.to_json(), "resolution cache"));
  j["dropped"] = solved.dropped;
  DISTILL_TRY(cache.write_named("resolution-" + key, j.dump()));
  push_entry(opts, "resolution-" + key, j, nullptr);
  return core::Status::Ok();
}

}  // namespace distill::builder
