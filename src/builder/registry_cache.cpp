#include "builder/registry_cache.hpp"

#include "core/json.hpp"
#include "core/sha256.hpp"
#include "oci/media_types.hpp"
#include "registry/blob_stream.hpp"
#include "registry/reference.hpp"
#include "registry/referrers.hpp"

namespace distill::builder {
namespace {

// A record is a descriptor and a few notes: anything larger is not one.
constexpr int64_t kMaxCacheRecordSize = int64_t{1} << 20;

nlohmann::json cache_descriptor_json(const oci::Descriptor& d) {
  return {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
}

}  // namespace

RegistryCache::RegistryCache(registry::Client& client, std::string repository)
    : client_(client), repo_(std::move(repository)) {}

RegistryCache::RegistryCache(std::unique_ptr<registry::Remote> remote, std::string repository)
    : remote_(std::move(remote)), client_(remote_->client()), repo_(std::move(repository)) {}

core::Result<std::unique_ptr<RegistryCache>> RegistryCache::connect(
    const std::string& reference, const registry::RemoteOptions& options) {
  DISTILL_ASSIGN(registry::Reference ref, registry::parse_reference(reference));
  if (!ref.tag.empty() || !ref.digest.empty())
    return core::make_error("--cache-repo " + reference, "names a tag or digest",
                            "give a repository: HOST[:PORT]/REPO");
  DISTILL_ASSIGN(auto remote, registry::Remote::connect(ref.registry, options));
  return std::unique_ptr<RegistryCache>(new RegistryCache(std::move(remote), ref.repository));
}

std::string RegistryCache::where() const {
  return client_.registry() + "/" + repo_;
}

core::Result<std::string> RegistryCache::read_record(const oci::Descriptor& d,
                                                     const std::string& where) {
  if (d.media_type != kCacheRecordMediaType || d.size > kMaxCacheRecordSize)
    return core::make_error(where, "is not a distill cache entry (its first layer is " +
                                       d.media_type + ", " + std::to_string(d.size) + " bytes)");
  std::string data;
  DISTILL_TRY(client_.get_blob(repo_, d.digest, [&data, &d](std::string_view chunk) {
    if (std::ssize(data) + std::ssize(chunk) > d.size) return false;
    data.append(chunk);
    return true;
  }));
  if (std::ssize(data) != d.size || oci::Digest::of(data) != d.digest)
    return core::make_error(where, "its record is not the blob " + d.digest.str());
  return data;
}

core::Result<std::optional<RemoteEntry>> RegistryCache::find(const std::string& name) {
  const std::string where = this->where() + ":" + name;
  auto fetched = client_.get_manifest(repo_, name);
  if (!fetched.ok()) {
    if (fetched.error().code == core::ErrorCode::kNotFound) return std::optional<RemoteEntry>();
    return fetched.error();
  }
  DISTILL_ASSIGN(oci::Manifest m, oci::parse_manifest(fetched->body, where));
  DISTILL_ASSIGN(nlohmann::json raw, core::parse_json(fetched->body, where));
  if (!raw.is_object() || raw.value("artifactType", "") != kCacheArtifactType || m.layers.empty() ||
      m.layers.size() > 2)
    return core::make_error(where, "is not a distill cache entry");
  DISTILL_ASSIGN(std::string text, read_record(m.layers[0], where));
  DISTILL_ASSIGN(nlohmann::json j, core::parse_json(text, where));
  RemoteEntry entry;
  // The name inside the record: an entry copied under another tag is refused,
  // as a local record copied under another key is.
  if (!j.is_object() || j.value("distill-cache", "") != "v1" || j.value("name", "") != name ||
      !j.contains("record"))
    return core::make_error(where, "its record is of another entry or version");
  entry.record = j["record"];
  if (m.layers.size() == 2) entry.blob = m.layers[1];
  return std::optional<RemoteEntry>(std::move(entry));
}

core::Result<std::string> RegistryCache::fetch_blob(const oci::Descriptor& blob,
                                                    cache::Cache& cache) {
  const uint64_t size = static_cast<uint64_t>(blob.size);
  if (auto path = cache.lookup(blob.digest.hex(), size)) return *path;
  auto produce = [this, &blob](const net::BodySink& sink) -> core::Status {
    int64_t seen = 0;
    // Cut off as soon as it overflows: an endless body never fills the disk.
    return client_.get_blob(repo_, blob.digest, [&](std::string_view chunk) {
      seen += std::ssize(chunk);
      return seen <= blob.size && sink(chunk);
    });
  };
  return cache.store_with(blob.digest.hex(), size, produce, where() + "@" + blob.digest.str());
}

core::Result<bool> RegistryCache::contains(const std::string& name) {
  DISTILL_ASSIGN(std::string digest, client_.manifest_digest(repo_, name));
  return !digest.empty();
}

core::Status RegistryCache::upload_small(const oci::Descriptor& d, std::string_view data) {
  DISTILL_ASSIGN(bool present, client_.blob_exists(repo_, d.digest));
  if (present) return core::Status::Ok();
  return client_.upload_blob(repo_, d.digest, data);
}

core::Status RegistryCache::store(const std::string& name, const nlohmann::json& record,
                                  const oci::Descriptor* blob, const std::string& blob_path) {
  const nlohmann::json wrapped = {{"distill-cache", "v1"}, {"name", name}, {"record", record}};
  const std::string text = wrapped.dump();
  const oci::Descriptor config = oci::describe(registry::kMediaTypeEmptyJson, registry::kEmptyJson);
  const oci::Descriptor rec = oci::describe(kCacheRecordMediaType, text);
  DISTILL_TRY(upload_small(config, registry::kEmptyJson));
  DISTILL_TRY(upload_small(rec, text));
  nlohmann::json layers = nlohmann::json::array({cache_descriptor_json(rec)});
  if (blob) {
    DISTILL_ASSIGN(bool present, client_.blob_exists(repo_, blob->digest));
    if (!present) {
      // Streamed and verified on the way: a layer may be gigabytes.
      LayerFileReader reader(blob_path, *blob);
      registry::BlobStream body(reader, *blob);
      DISTILL_TRY(client_.upload_blob(repo_, blob->digest, body));
    }
    layers.push_back(cache_descriptor_json(*blob));
  }
  const nlohmann::json manifest = {{"schemaVersion", 2},
                                   {"mediaType", std::string(oci::kMediaTypeManifest)},
                                   {"artifactType", std::string(kCacheArtifactType)},
                                   {"config", cache_descriptor_json(config)},
                                   {"layers", layers}};
  // The tag last: a reader never finds an entry whose blobs are not there.
  DISTILL_TRY(client_.put_manifest(repo_, name, oci::kMediaTypeManifest, manifest.dump()));
  return core::Status::Ok();
}

}  // namespace distill::builder
