#include "oci/docker_archive_reader.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <set>

#include "core/decompress.hpp"
#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/sha256.hpp"
#include "oci/archive_util.hpp"
#include "oci/media_types.hpp"
#include "oci/tar_entry_reader.hpp"

namespace distill::oci {
namespace {

using nlohmann::json;

constexpr size_t kMaxManifestEntries = 1000;

// Member names are only looked up, never created on disk, but an archive with
// "../" or absolute names is hostile or broken: refuse it outright.
core::Result<std::string> member_name(const char* raw, const std::string& archive_path) {
  if (raw == nullptr)
    return core::make_error(archive_path, "a member has no readable name",
                            "the archive is corrupt");
  std::string_view name = raw;
  if (name.starts_with("/"))
    return core::make_error(archive_path, "member '" + std::string(name) + "' has an absolute path",
                            "the archive is unsafe");
  auto out = core::normalize_relative_path(name);
  if (!out)
    return core::make_error(archive_path, "member '" + std::string(name) + "' contains '..'",
                            "the archive is unsafe");
  return std::move(*out);
}

core::Result<ArchiveReader> open_archive(const std::string& path) {
  ArchiveReader a(archive_read_new());
  if (!a) return core::make_error(path, "cannot create an archive reader");
  DISTILL_TRY(core::enable_builtin_filters(a.get(), path));
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), kArchiveChunk) != ARCHIVE_OK)
    return core::make_error(path, "cannot open as a tar archive: " + archive_error(a.get()));
  return a;
}

std::string_view sniff_layer_type(std::string_view head) {
  if (head.starts_with("\x1f\x8b")) return kMediaTypeLayerGzip;
  if (head.starts_with("\x28\xb5\x2f\xfd")) return kMediaTypeLayerZstd;
  return kMediaTypeLayer;
}

}  // namespace

core::Result<std::unique_ptr<DockerArchiveReader>> DockerArchiveReader::open(
    const std::string& path, const ReaderLimits& limits) {
  std::unique_ptr<DockerArchiveReader> r(new DockerArchiveReader(path, limits));
  DISTILL_TRY(r->scan());
  DISTILL_TRY(r->build_index());
  return r;
}

core::Status DockerArchiveReader::scan() {
  ScopedUtf8Locale locale;
  DISTILL_TRY(locale.status());
  DISTILL_ASSIGN(ArchiveReader a, open_archive(path_));
  TarEntryReader tar(a.get(), path_, {.max_members = limits_.max_archive_members});
  std::set<std::string> seen;
  int64_t kept_total = 0;
  TarMember entry;
  for (;;) {
    DISTILL_ASSIGN(bool more, tar.next(entry));
    if (!more) break;
    DISTILL_ASSIGN(std::string name, member_name(entry.name.c_str(), path_));
    if (!seen.insert(name).second)
      return core::make_error(path_, "member '" + name + "' appears twice",
                              "the archive is ambiguous");
    if (entry.type != TarType::kRegular) continue;  // folders, links: never a blob
    Member m;
    bool metadata = name.ends_with(".json") || name == "repositories";
    m.kept = metadata && entry.size <= limits_.max_metadata_size &&
             kept_total + entry.size <= 4 * limits_.max_metadata_size;
    m.oversized = metadata && !m.kept;
    core::Sha256 hash;
    DISTILL_TRY(tar.copy_content([&](std::string_view chunk) -> core::Status {
      hash.update(chunk);
      m.size += static_cast<int64_t>(chunk.size());
      if (m.head.size() < 4) m.head.append(chunk.substr(0, 4 - m.head.size()));
      if (m.kept) {
        if (static_cast<int64_t>(m.content.size() + chunk.size()) > limits_.max_metadata_size)
          return core::make_error(path_, "member '" + name + "' is larger than its header says");
        m.content.append(chunk);
      }
      return core::Status::Ok();
    }));
    m.sha256 = hash.hex_digest();
    kept_total += static_cast<int64_t>(m.content.size());
    members_.emplace(std::move(name), std::move(m));
  }
  return core::Status::Ok();
}

core::Status DockerArchiveReader::build_index() {
  auto it = members_.find("manifest.json");
  if (it != members_.end() && it->second.oversized)
    return core::make_error(
        path_ + ": manifest.json",
        "is larger than " + std::to_string(limits_.max_metadata_size) +
            " bytes (with the archive's other metadata: " +
            std::to_string(4 * limits_.max_metadata_size) + ")",
        "a docker save manifest is a few hundred bytes; the archive is hostile");
  if (it == members_.end() || !it->second.kept)
    return core::make_error(path_, "has no manifest.json",
                            "is it a docker-archive tar (docker save)?");
  auto fail = [&](std::string what) {
    return core::make_error(path_ + ": manifest.json", std::move(what), "the archive is malformed");
  };
  auto parsed = core::parse_json(it->second.content);
  if (!parsed.ok() || !parsed->is_array()) return fail("is not a JSON list");
  if (parsed->size() > kMaxManifestEntries) return fail("lists too many images");
  auto lookup = [&](const std::string& ref) -> core::Result<const Member*> {
    DISTILL_ASSIGN(std::string name, member_name(ref.c_str(), path_));
    auto m = members_.find(name);
    if (m == members_.end()) return fail("names '" + ref + "', which is not a file in the archive");
    return &m->second;
  };
  for (const auto& item : *parsed) {
    if (!item.is_object()) return fail("has an entry that is not an object");
    DISTILL_ASSIGN(std::string config_ref, core::json_string(item, "Config"));
    DISTILL_ASSIGN(std::vector<std::string> tags, core::json_string_list(item, "RepoTags"));
    DISTILL_ASSIGN(std::vector<std::string> layer_refs, core::json_string_list(item, "Layers"));
    DISTILL_ASSIGN(const Member* config, lookup(config_ref));
    if (!config->kept) return fail("config '" + config_ref + "' is too large");
    Manifest m;
    m.config.media_type = std::string(kMediaTypeConfig);
    DISTILL_ASSIGN(m.config.digest, Digest::from_hex(config->sha256));
    m.config.size = config->size;
    blob_members_[config->sha256] = config_ref;
    for (const auto& ref : layer_refs) {
      DISTILL_ASSIGN(const Member* layer, lookup(ref));
      Descriptor d;
      d.media_type = std::string(sniff_layer_type(layer->head));
      DISTILL_ASSIGN(d.digest, Digest::from_hex(layer->sha256));
      d.size = layer->size;
      blob_members_[layer->sha256] = ref;
      m.layers.push_back(std::move(d));
    }
    DISTILL_ASSIGN(std::string manifest, manifest_json(m));
    Descriptor md = describe(kMediaTypeManifest, manifest);
    DISTILL_ASSIGN(ImageConfig cfg, parse_image_config(config->content, config_ref));
    md.platform = cfg.platform;
    synthesized_[md.digest.hex()] = std::move(manifest);
    index_.manifests.push_back(std::move(md));
    refs_.push_back(std::move(tags));
  }
  return core::Status::Ok();
}

core::Status DockerArchiveReader::stream_raw(const Descriptor& d, const Sink& sink) {
  if (auto s = synthesized_.find(d.digest.hex()); s != synthesized_.end()) return sink(s->second);
  auto b = blob_members_.find(d.digest.hex());
  if (b == blob_members_.end()) return core::make_error(path_, "has no blob " + d.digest.str());
  DISTILL_ASSIGN(std::string wanted, member_name(b->second.c_str(), path_));
  if (const Member& m = members_.at(wanted); m.kept) return sink(m.content);
  // Layers are not kept: find the member again. The archive may have changed
  // since it was opened; stream_blob's digest check catches that.
  ScopedUtf8Locale locale;
  DISTILL_TRY(locale.status());
  DISTILL_ASSIGN(ArchiveReader a, open_archive(path_));
  std::vector<char> buf(kArchiveChunk);
  archive_entry* entry = nullptr;
  for (size_t count = 0; count <= limits_.max_archive_members; ++count) {
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      return core::make_error(path_, "cannot read the archive: " + archive_error(a.get()));
    auto name = member_name(archive_entry_pathname(entry), path_);
    if (!name.ok()) return name.error();
    if (*name != wanted || archive_entry_filetype(entry) != AE_IFREG) continue;
    for (;;) {
      la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
      if (n < 0)
        return core::make_error(path_,
                                "cannot read member '" + wanted + "': " + archive_error(a.get()));
      if (n == 0) return core::Status::Ok();
      DISTILL_TRY(sink(std::string_view(buf.data(), static_cast<size_t>(n))));
    }
  }
  return core::make_error(path_, "member '" + wanted + "' disappeared", "the archive changed");
}

}  // namespace distill::oci
