#include "builder/os_layer.hpp"

#include <algorithm>
#include <map>

#include "builder/assembly.hpp"
#include "builder/bytecode_store.hpp"
#include "builder/early_layers.hpp"
#include "builder/layer_cache.hpp"
#include "builder/layering.hpp"
#include "builder/remote_cache.hpp"
#include "builder/rootfs.hpp"
#include "core/json.hpp"
#include "core/temp_dir.hpp"
#include "core/thread_pool.hpp"

namespace distill::builder {
namespace {

// The image's layer list, recorded under "layers-<image key>": each layer's
// own key, name and package count, and the assembly notes.
struct LayerList {
  std::vector<std::string> keys;
  std::vector<BuiltLayer> layers;
  nlohmann::json notes;
};

// The layer list recorded here, or else in the cache repo (then kept here).
std::optional<nlohmann::json> layer_list_record(cache::Cache& cache, const std::string& name,
                                                const BuildOptions& opts) {
  if (auto record = cache.read_named(name)) {
    auto parsed = core::parse_json(*record);
    if (!parsed.ok()) return std::nullopt;
    share_entry(opts, name, *parsed, nullptr);
    return *parsed;
  }
  if (!opts.cache_repo) return std::nullopt;
  auto found = opts.cache_repo->find(name);
  if (!found.ok()) {
    cache_repo_warning(opts, name, found.error().message() + "; building here");
    return std::nullopt;
  }
  if (!*found) return std::nullopt;
  if ((*found)->blob || !(*found)->record.is_object()) {
    cache_repo_warning(opts, name, "refused: not a layer list; building here");
    return std::nullopt;
  }
  (void)cache.write_named(name, (*found)->record.dump());
  return (*found)->record;
}

std::optional<LayerList> cached_layer_list(cache::Cache& cache, const std::string& key,
                                           const BuildOptions& opts) {
  auto parsed = layer_list_record(cache, "layers-" + key, opts);
  if (!parsed) return std::nullopt;
  LayerList list;
  try {
    list.notes = parsed->value("notes", nlohmann::json());
    for (const auto& l : parsed->at("layers")) {
      std::string layer_key = l.at("key").get<std::string>();
      auto blob = cached_layer(cache, layer_key, opts);
      if (!blob) return std::nullopt;
      list.keys.push_back(layer_key);
      list.layers.push_back(
          {*blob, true, false, l.at("name").get<std::string>(), l.at("packages").get<size_t>()});
    }
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  if (list.layers.empty()) return std::nullopt;
  return list;
}

core::Status record_layer_list(cache::Cache& cache, const std::string& key, const LayerList& list,
                               const BuildOptions& opts) {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < list.layers.size(); ++i)
    layers.push_back({{"key", list.keys[i]},
                      {"name", list.layers[i].name},
                      {"packages", list.layers[i].packages}});
  nlohmann::json record = {{"layers", std::move(layers)}, {"notes", list.notes}};
  DISTILL_TRY(cache.write_named("layers-" + key, record.dump()));
  push_entry(opts, "layers-" + key, record, nullptr);
  return core::Status::Ok();
}

void acknowledge(const Spec& spec, const Preset& preset, ArchReport& report) {
  // Acknowledging changes the report, never the layers.
  for (auto& p : report.effects.packages)
    p.acknowledged =
        std::count(spec.acknowledge_scripts.begin(), spec.acknowledge_scripts.end(), p.package) !=
            0 ||
        std::count(preset.acknowledged.begin(), preset.acknowledged.end(), p.package) != 0;
}

}  // namespace

core::Result<std::vector<BuiltLayer>> os_layers(const Spec& spec, const Preset& preset,
                                                debian::Repository& repo, cache::Cache& cache,
                                                const PlannedArch& plan, const BuildOptions& opts,
                                                ArchReport& report) {
  std::string key = os_layer_key(spec, preset, plan, opts);
  if (opts.reuse_cache) {
    if (auto hit = cached_layer_list(cache, key, opts)) {
      restore_notes(hit->notes, report);
      acknowledge(spec, preset, report);
      return hit->layers;
    }
  }
  std::vector<debian::PackageFetch> all = plan.installs;
  all.insert(all.end(), plan.extract_only.begin(), plan.extract_only.end());
  DISTILL_ASSIGN(auto paths, repo.fetch(all));
  // Package file content waits on disk (content packs) until the layer is
  // written, beside the cache rather than in $TMPDIR, which may be memory
  // (tmpfs): memory holds the tree's metadata, not its bytes.
  DISTILL_ASSIGN(core::TempDir spill, core::TempDir::create(cache.root(), "spill"));
  Rootfs fs(Rootfs::Options{spec.keep_docs});
  // Compiled .pyc are reused by content even under --no-cache, as ccache
  // reuses objects: the key covers every byte that decides them.
  CacheBytecodeStore bytecode(cache);
  EffectsEnv env{cache.root(), opts.source_date_epoch, &bytecode};
  std::vector<LayerPackage> packages;
  std::unique_ptr<EarlyLayers> early;
  if (opts.early_layers)
    early = EarlyLayers::plan(spec, preset, repo.config().distro, plan, paths, cache, opts);
  DISTILL_TRY(assemble(spec, preset, repo.config().distro, plan, paths, fs, report, spill.path(),
                       env, &packages, early.get()));
  judge_packages(fs, packages);
  auto planned = package_layers(spec, preset, repo.config().distro, packages);
  std::vector<LayerContents> contents = split_rootfs(fs, planned);
  LayerList list;
  list.notes = assembly_notes(report);
  std::vector<size_t> to_write;
  for (size_t i = 0; i < contents.size(); ++i) {
    const LayerContents& c = contents[i];
    bool own = i + 1 == contents.size();
    list.keys.push_back(own ? image_layer_key(key, c.entries)
                            : package_layer_key(spec, preset, plan, opts, c.packages, c.entries));
    BuiltLayer layer{{}, false, false, c.name, c.packages.size()};
    if (auto blob = early ? early->written(list.keys.back()) : std::nullopt) {
      layer.blob = *blob;
      layer.early = true;
    } else if (opts.reuse_cache) {
      if (auto hit = cached_layer(cache, list.keys.back(), opts)) {
        layer.blob = *hit;
        layer.cached = true;
      }
    }
    if (!layer.cached && !layer.early) to_write.push_back(i);
    list.layers.push_back(std::move(layer));
  }
  // Layers are written side by side (each blob's bytes are its own: the
  // output does not depend on the order).
  DISTILL_TRY(core::run_parallel(to_write.size(), 2, [&](size_t j) -> core::Status {
    size_t i = to_write[j];
    DISTILL_ASSIGN(list.layers[i].blob,
                   write_cached_layer(cache, list.keys[i], std::move(contents[i].entries), opts));
    return core::Status::Ok();
  }));
  DISTILL_TRY(record_layer_list(cache, key, list, opts));
  return list.layers;
}

}  // namespace distill::builder
