#include "builder/app_layer.hpp"

#include <fmt/format.h>

#include "builder/app_files.hpp"
#include "builder/healthcheck.hpp"
#include "builder/layer_cache.hpp"
#include "core/sha256.hpp"
#include "oci/entry_content.hpp"
#include "runtime/health_program.hpp"

namespace distill::builder {
namespace {

// The app files' metadata, not their content: what the entrypoint check's
// answer depends on (EntrypointMemo).
std::string app_layer_shape(const std::vector<oci::FsEntry>& entries) {
  core::Sha256 h;
  for (const auto& e : entries)
    h.update(fmt::format("{}\t{}\t{:o}\t{}\t{}\t{}\t{}\n", e.path, oci::entry_type_name(e.type),
                         e.mode, e.uid, e.gid, e.link_target.size(), e.link_target));
  return h.hex_digest();
}

}  // namespace

core::Result<std::string> app_layer_key(const std::vector<oci::FsEntry>& entries,
                                        const BuildOptions& opts) {
  core::Sha256 h;
  h.update(std::string(kLayerRecipeVersion) + "\napp\n");
  h.update(oci::compression_format(opts.compression) + "\n" +
           std::to_string(opts.source_date_epoch) + "\n");
  for (const auto& e : entries) {
    std::string content = e.link_target;
    if (!e.source_path.empty()) {
      DISTILL_ASSIGN(content, oci::content_sha256(e));
    }
    h.update(fmt::format("{}\t{}\t{:o}\t{}\t{}\t{}\n", e.path, oci::entry_type_name(e.type), e.mode,
                         e.uid, e.gid, content));
  }
  return h.hex_digest();
}

core::Result<std::optional<oci::LayerBlob>> app_layer(const Spec& spec, cache::Cache& cache,
                                                      const BuildOptions& opts, bool* from_cache,
                                                      std::string* shape) {
  if (spec.files.empty() && !needs_health_program(spec)) return std::optional<oci::LayerBlob>();
  DISTILL_ASSIGN(auto entries, app_file_entries(spec));
  if (needs_health_program(spec)) {
    DISTILL_ASSIGN(std::string program, runtime::find_health_program());
    entries.push_back(*health_program_entry(spec, program, opts.source_date_epoch));
  }
  DISTILL_ASSIGN(std::string key, app_layer_key(entries, opts));
  if (shape) *shape = app_layer_shape(entries);
  if (opts.reuse_cache) {
    if (auto hit = cached_layer(cache, key, opts)) {
      if (from_cache) *from_cache = true;
      return std::optional<oci::LayerBlob>(*hit);
    }
  }
  DISTILL_ASSIGN(oci::LayerBlob blob, write_cached_layer(cache, key, std::move(entries), opts));
  return std::optional<oci::LayerBlob>(blob);
}

}  // namespace distill::builder
