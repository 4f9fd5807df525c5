#include "builder/layer_cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>

#include "builder/remote_cache.hpp"
#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/sha256.hpp"
#include "core/strings.hpp"
#include "core/temp_dir.hpp"
#include "effects/python_bytecode.hpp"
#include "image/layer_stream.hpp"

namespace distill::builder {
namespace {

// A record's descriptor of its layer (no path yet). Throws on a missing field.
core::Result<oci::LayerBlob> layer_from_record(const nlohmann::json& j) {
  oci::LayerBlob b;
  DISTILL_ASSIGN(b.digest, oci::Digest::parse(j.at("digest").get<std::string>()));
  DISTILL_ASSIGN(b.diff_id, oci::Digest::parse(j.at("diff_id").get<std::string>()));
  b.size = j.at("size").get<int64_t>();
  b.uncompressed_size = j.at("uncompressed_size").get<int64_t>();
  b.media_type = j.at("media_type").get<std::string>();
  return b;
}

core::Result<oci::LayerBlob> blob_from_record(cache::Cache& cache, const nlohmann::json& j) {
  DISTILL_ASSIGN(oci::LayerBlob b, layer_from_record(j));
  auto path = cache.lookup(b.digest.hex(), static_cast<uint64_t>(b.size));
  if (!path) return core::make_error("layer " + b.digest.str(), "not in the cache");
  b.path = *path;
  return b;
}

core::Status check_diff_id(const oci::LayerBlob& b) {
  oci::Descriptor d{b.media_type, b.digest, b.size, {}, std::nullopt};
  LayerFileReader reader(b.path, d);
  auto skip = [](const image::LayerEntry&, const image::ContentReader&) {
    return core::Status::Ok();
  };
  DISTILL_ASSIGN(image::LayerDigests got, image::read_layer(reader, d, skip));
  if (got.diff_id != b.diff_id || got.uncompressed_size != b.uncompressed_size)
    return core::make_error(
        "layer " + b.digest.str(),
        "decompresses to " + got.diff_id.str() + ", not the recorded diff_id " + b.diff_id.str());
  return core::Status::Ok();
}

// The layer a cache repo's entry names, in the local cache and verified: the
// record must agree with the entry's blob and this build's compression, the
// blob is checked by digest and size as it arrives, then by diff_id.
core::Result<oci::LayerBlob> pull_layer(cache::Cache& cache, const RemoteEntry& entry,
                                        const BuildOptions& opts) {
  oci::LayerBlob b;
  try {
    DISTILL_ASSIGN(b, layer_from_record(entry.record));
  } catch (const nlohmann::json::exception& e) {
    return core::make_error("record", std::string("unreadable: ") + e.what());
  }
  if (!entry.blob || entry.blob->digest != b.digest || entry.blob->size != b.size ||
      entry.blob->media_type != b.media_type)
    return core::make_error("record", "does not describe the entry's blob");
  if (b.media_type != oci::layer_media_type(opts.compression))
    return core::make_error("record", "names a " + b.media_type + " layer");
  DISTILL_ASSIGN(b.path, opts.cache_repo->fetch_blob(*entry.blob, cache));
  DISTILL_TRY(check_diff_id(b));
  return b;
}

std::optional<oci::LayerBlob> remote_layer(cache::Cache& cache, const std::string& name,
                                           const BuildOptions& opts, nlohmann::json* notes) {
  if (opts.cache_repo->refused(name)) return std::nullopt;
  auto found = opts.cache_repo->find(name);
  if (!found.ok()) {
    cache_repo_warning(opts, name, found.error().message() + "; building it here");
    return std::nullopt;
  }
  if (!*found) return std::nullopt;
  auto blob = pull_layer(cache, **found, opts);
  if (!blob.ok()) {
    opts.cache_repo->refuse(name);
    cache_repo_warning(opts, name, "refused: " + blob.error().message() + "; building it here");
    return std::nullopt;
  }
  // Recorded locally, so the next build needs no registry.
  (void)cache.write_named(name, (*found)->record.dump());
  if (notes) *notes = (*found)->record.value("notes", nlohmann::json());
  opts.cache_repo->stats().layers_pulled++;
  return std::move(blob).value();
}

}  // namespace

std::string os_layer_key(const Spec& spec, const Preset& preset, const PlannedArch& plan,
                         const BuildOptions& opts) {
  core::Sha256 h;
  auto line = [&h](std::string_view s) {
    h.update(s);
    h.update("\n");
  };
  line(kLayerRecipeVersion);
  line(spec.distro);
  line(plan.arch);
  line(preset.name);
  line(spec.keep_docs ? "docs" : "nodocs");
  line(spec.debug ? "debug" : "nodebug");
  line(spec.python_bytecode ? "bytecode" : "nobytecode");
  effects::BytecodeOptions sandbox;
  sandbox.arch = plan.arch;
  line("bytecode-sandbox " + effects::bytecode_sandbox_blocker(sandbox));
  for (const auto& g : spec.accounts.groups)
    line(fmt::format("group {} {} {}", g.name, g.gid, core::join(g.members, ",")));
  for (const auto& u : spec.accounts.users)
    line(fmt::format("user {} {} {} {} {} {}", u.name, u.uid, u.gid, u.home, u.shell, u.gecos));
  line(oci::compression_format(opts.compression));
  line(std::to_string(opts.source_date_epoch));
  line(fmt::format("layering {} {}",
                   spec.layering.strategy == LayeringStrategy::kSingle ? "single" : "origin",
                   spec.layering.max_layers));
  for (const auto& p : plan.installs) line("install " + p.name + " " + p.sha256);
  for (const auto& p : plan.extract_only) line("extract " + p.name + " " + p.sha256);
  for (const auto& [path, target] : preset.symlinks) line("symlink " + path + " " + target);
  for (const auto& [name, keep] : preset.partial)
    line("partial " + name + " " + core::join(keep, " "));
  for (const auto& pem : spec.ca_certificates) {
    auto hash = core::sha256_file(pem);
    line("ca " + (hash.ok() ? *hash : std::string("unreadable")));
  }
  return h.hex_digest();
}

namespace {

std::string entry_line(const oci::FsEntry& e, int64_t epoch) {
  std::string xattrs;
  for (const auto& [k, v] : e.xattrs) xattrs += k + "=" + core::sha256_hex(v) + ",";
  return fmt::format("{}\t{}\t{:o}\t{}\t{}\t{}\t{}\t{}", e.path, oci::entry_type_name(e.type),
                     e.mode, e.uid, e.gid, std::min(e.mtime, epoch), e.link_target, xattrs);
}

}  // namespace

std::string package_layer_key(const Spec& spec, const Preset& preset, const PlannedArch& plan,
                              const BuildOptions& opts, const std::vector<std::string>& packages,
                              const std::vector<oci::FsEntry>& entries) {
  core::Sha256 h;
  auto line = [&h](std::string_view s) {
    h.update(s);
    h.update("\n");
  };
  line(kLayerRecipeVersion);
  line("packages");
  line(plan.arch);
  line(spec.keep_docs ? "docs" : "nodocs");
  line(oci::compression_format(opts.compression));
  line(std::to_string(opts.source_date_epoch));
  std::map<std::string, std::string> sha;
  for (const auto& p : plan.installs) sha[p.name] = p.sha256;
  for (const auto& name : packages) {
    line("install " + name + " " + sha[name]);
    if (auto partial = preset.partial.find(name); partial != preset.partial.end())
      line("partial " + core::join(partial->second, " "));
  }
  for (const auto& e : entries) {
    line(entry_line(e, opts.source_date_epoch));
    if (e.path.starts_with("var/lib/dpkg/status.d/")) line(core::sha256_hex(e.data));
  }
  return h.hex_digest();
}

std::string image_layer_key(const std::string& image_key,
                            const std::vector<oci::FsEntry>& entries) {
  core::Sha256 h;
  h.update(std::string(kLayerRecipeVersion) + "\nimage\n" + image_key + "\n");
  for (const auto& e : entries) h.update(entry_line(e, 0) + "\n");
  return h.hex_digest();
}

nlohmann::json assembly_notes(const ArchReport& r) {
  return {{"effects", effects::to_json(r.effects)},
          {"stripped", r.stripped},
          {"conflicts", r.conflicts}};
}

void restore_notes(const nlohmann::json& notes, ArchReport& r) {
  if (!notes.is_object()) return;
  r.effects = effects::effects_from_json(notes.value("effects", nlohmann::json()));
  r.stripped = notes.value("stripped", std::vector<std::string>{});
  r.conflicts = notes.value("conflicts", std::vector<std::string>{});
}

std::optional<oci::LayerBlob> cached_layer(cache::Cache& cache, const std::string& key,
                                           const BuildOptions& opts, nlohmann::json* notes) {
  const std::string name = "layer-" + key;
  if (auto record = cache.read_named(name)) {
    auto parsed = core::parse_json(*record);
    if (parsed.ok()) {
      try {
        auto blob = blob_from_record(cache, *parsed);
        if (blob.ok()) {
          if (notes) *notes = parsed->value("notes", nlohmann::json());
          share_entry(opts, name, *parsed, &*blob);
          return std::move(blob).value();
        }
      } catch (const nlohmann::json::exception&) {
      }
    }
  }
  if (!opts.cache_repo) return std::nullopt;
  return remote_layer(cache, name, opts, notes);
}

core::Result<oci::LayerBlob> write_cached_layer(cache::Cache& cache, const std::string& key,
                                                std::vector<oci::FsEntry> entries,
                                                const BuildOptions& opts, nlohmann::json notes) {
  DISTILL_ASSIGN(core::TempDir tmp, core::TempDir::create(cache.root(), "layer"));
  oci::LayerOptions lo;
  lo.compression = opts.compression;
  lo.source_date_epoch = opts.source_date_epoch;
  DISTILL_ASSIGN(oci::LayerBlob blob,
                 oci::write_layer(std::move(entries), lo, tmp.path() + "/blob"));
  // Streamed into the cache: a layer may be gigabytes.
  std::string written = blob.path;
  auto produce = [&written](const net::BodySink& sink) -> core::Status {
    return core::read_file_chunks(written, [&sink](std::string_view chunk) -> core::Status {
      if (!sink(chunk)) return core::make_error("cache", "refused the layer's bytes");
      return core::Status::Ok();
    });
  };
  DISTILL_ASSIGN(blob.path, cache.store_with(blob.digest.hex(), static_cast<uint64_t>(blob.size),
                                             produce, "layer " + blob.digest.str()));
  nlohmann::json record = {{"digest", blob.digest.str()},
                           {"diff_id", blob.diff_id.str()},
                           {"size", blob.size},
                           {"uncompressed_size", blob.uncompressed_size},
                           {"media_type", blob.media_type}};
  if (!notes.is_null()) record["notes"] = std::move(notes);
  DISTILL_TRY(cache.write_named("layer-" + key, record.dump()));
  push_entry(opts, "layer-" + key, record, &blob);
  return blob;
}

}  // namespace distill::builder
