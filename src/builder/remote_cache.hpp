#pragma once

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "builder/build_options.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "oci/image_reader.hpp"
#include "oci/layer_writer.hpp"
#include "oci/manifest.hpp"

namespace distill::builder {

// What a build took from and gave to its remote cache (`--cache-repo`).
struct RemoteCacheStats {
  std::atomic<int> layers_pulled{0};
  std::atomic<int> resolutions_pulled{0};
  std::atomic<int> records_pushed{0};
};

// One entry of a remote cache: the record the local cache would hold under
// the same name ("layer-<key>", "resolution-<key>") and the blob it names.
struct RemoteEntry {
  nlohmann::json record;
  std::optional<oci::Descriptor> blob;
};

// A cache shared between machines (docs/cache.md, "The cache repository"),
// consulted by cached_layer, write_cached_layer, cached_resolution and
// store_resolution after the local cache: the builder knows this interface,
// never how entries travel (builder/registry_cache keeps them in a registry).
// Entries are addressed by the same keys as local records; what comes back is
// checked by the caller before use (the blob's digest and size here, its
// diff_id by the layer cache).
class RemoteCache {
 public:
  virtual ~RemoteCache() = default;

  // Where the entries are, for messages ("127.0.0.1:5000/cache").
  virtual std::string where() const = 0;
  // The entry stored under `name`; nullopt when there is none. An error: the
  // entry could not be read or is not a well-formed entry of that name.
  virtual core::Result<std::optional<RemoteEntry>> find(const std::string& name) = 0;
  // The entry's blob in `cache` (downloaded unless it is there already),
  // verified by digest and size as it streams; its path.
  virtual core::Result<std::string> fetch_blob(const oci::Descriptor& blob,
                                               cache::Cache& cache) = 0;
  virtual core::Result<bool> contains(const std::string& name) = 0;
  // Stores `record` under `name` with the blob at `blob_path` (a blob the
  // remote already holds is not sent again); `blob` null: a record alone.
  virtual core::Status store(const std::string& name, const nlohmann::json& record,
                             const oci::Descriptor* blob, const std::string& blob_path) = 0;

  RemoteCacheStats& stats() { return stats_; }

  // Entries this build refused (a blob that did not verify): asked again
  // for another layer list or layer, they are a plain miss, not a second
  // warning and a second download.
  void refuse(const std::string& name) {
    std::lock_guard<std::mutex> lock(refused_mu_);
    refused_.insert(name);
  }
  bool refused(const std::string& name) {
    std::lock_guard<std::mutex> lock(refused_mu_);
    return refused_.count(name) != 0;
  }

 private:
  RemoteCacheStats stats_;
  std::mutex refused_mu_;
  std::set<std::string> refused_;
};

// A layer blob in a file as an image source, so that it is streamed and
// verified like any blob (uploads, the diff_id check).
class LayerFileReader : public oci::ImageReader {
 public:
  LayerFileReader(std::string path, oci::Descriptor blob);
  const oci::Index& index() const override { return index_; }

 protected:
  core::Status stream_raw(const oci::Descriptor& d, const Sink& sink) override;

 private:
  std::string file_;
  oci::Descriptor blob_;
  oci::Index index_;
};

// An entry (a record, and the layer it names) stored in opts.cache_repo;
// share_entry only when the cache repo lacks it. No cache repo: nothing.
// Failures are warnings to opts.observer: the cache repo only saves time.
void push_entry(const BuildOptions& opts, const std::string& name, const nlohmann::json& record,
                const oci::LayerBlob* blob);
void share_entry(const BuildOptions& opts, const std::string& name, const nlohmann::json& record,
                 const oci::LayerBlob* blob);

// One line to opts.observer about the entry `name` of opts.cache_repo.
void cache_repo_warning(const BuildOptions& opts, const std::string& name, const std::string& what);

}  // namespace distill::builder
