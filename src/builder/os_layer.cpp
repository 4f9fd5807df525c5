#include "builder/os_layer.hpp"

#include <algorithm>

#include "builder/assembly.hpp"
#include "builder/bytecode_store.hpp"
#include "builder/layer_cache.hpp"
#include "builder/rootfs.hpp"
#include "core/temp_dir.hpp"

namespace distill::builder {

core::Result<BuiltLayer> os_layer(const Spec& spec, const Preset& preset, debian::Repository& repo,
                                  cache::Cache& cache, const PlannedArch& plan,
                                  const BuildOptions& opts, ArchReport& report) {
  std::string key = os_layer_key(spec, preset, plan, opts);
  if (opts.reuse_cache) {
    nlohmann::json notes;
    if (auto hit = cached_layer(cache, key, &notes)) {
      restore_notes(notes, report);
      // Acknowledging changes the report, never the layer.
      for (auto& p : report.effects.packages)
        p.acknowledged =
            std::count(spec.acknowledge_scripts.begin(), spec.acknowledge_scripts.end(),
                       p.package) != 0 ||
            std::count(preset.acknowledged.begin(), preset.acknowledged.end(), p.package) != 0;
      return BuiltLayer{*hit, true};
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
  DISTILL_TRY(
      assemble(spec, preset, repo.config().distro, plan, paths, fs, report, spill.path(), env));
  DISTILL_ASSIGN(oci::LayerBlob blob,
                 write_cached_layer(cache, key, fs.take_entries(), opts, assembly_notes(report)));
  return BuiltLayer{blob, false};
}

}  // namespace distill::builder
