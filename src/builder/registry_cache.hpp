#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "builder/remote_cache.hpp"
#include "registry/client.hpp"
#include "registry/remote.hpp"

namespace distill::builder {

// The cache entries' OCI artifact: the manifest's artifactType, and the
// media type of its first layer, the record.
inline constexpr std::string_view kCacheArtifactType = "application/vnd.distill.cache.v1+json";
inline constexpr std::string_view kCacheRecordMediaType =
    "application/vnd.distill.cache.record.v1+json";

// A remote cache in a registry repository (`distill build --cache-repo`,
// docs/cache.md): each entry is one OCI artifact manifest tagged with the
// entry's name ("layer-<key>"), its config the empty descriptor, its layers
// the record ({"distill-cache":"v1","name":...,"record":...}) and, for a
// layer, the layer blob itself, so an entry is one manifest GET, one small
// blob GET and the layer.
class RegistryCache : public RemoteCache {
 public:
  RegistryCache(registry::Client& client, std::string repository);

  // `--cache-repo HOST[:PORT]/REPO`: connects with the usual credentials and
  // transport options; a tag or digest in the reference is an error.
  static core::Result<std::unique_ptr<RegistryCache>> connect(
      const std::string& reference, const registry::RemoteOptions& options);

  std::string where() const override;
  core::Result<std::optional<RemoteEntry>> find(const std::string& name) override;
  core::Result<std::string> fetch_blob(const oci::Descriptor& blob, cache::Cache& cache) override;
  core::Result<bool> contains(const std::string& name) override;
  core::Status store(const std::string& name, const nlohmann::json& record,
                     const oci::Descriptor* blob, const std::string& blob_path) override;

 private:
  RegistryCache(std::unique_ptr<registry::Remote> remote, std::string repository);
  core::Result<std::string> read_record(const oci::Descriptor& d, const std::string& where);
  core::Status upload_small(const oci::Descriptor& d, std::string_view data);

  std::unique_ptr<registry::Remote> remote_;  // when connect() made the client
  registry::Client& client_;
  std::string repo_;
};

}  // namespace distill::builder
