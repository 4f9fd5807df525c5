#include "builder/resolution_cache.hpp"

#include <nlohmann/json.hpp>
#include <string_view>

#include "builder/spec_request.hpp"
#include "core/json.hpp"
#include "core/sha256.hpp"

namespace distill::builder {
namespace {

// Bumped when the resolver or policy changes, so an older distill's
// resolutions are never reused.
constexpr const char* kResolutionRecipeVersion = "distill-resolution-v1";

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
                                            const std::string& arch) {
  auto record = cache.read_named("resolution-" + key);
  if (!record) return std::nullopt;
  auto lock = debian::Lockfile::parse(*record, "resolution cache");
  auto j = core::parse_json(*record);
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

core::Status store_resolution(cache::Cache& cache, const std::string& key,
                              const std::string& distro, const std::string& arch,
                              const SolvedArch& solved) {
  debian::Lockfile lock;
  lock.distro = distro;
  lock.archs[arch] = solved.locked;
  DISTILL_ASSIGN(auto j, core::parse_json(lock.to_json(), "resolution cache"));
  j["dropped"] = solved.dropped;
  return cache.write_named("resolution-" + key, j.dump());
}

}  // namespace distill::builder
