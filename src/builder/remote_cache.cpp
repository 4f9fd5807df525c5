#include "builder/remote_cache.hpp"

#include "core/file_util.hpp"

namespace distill::builder {

LayerFileReader::LayerFileReader(std::string path, oci::Descriptor blob)
    : oci::ImageReader(path, {}), file_(std::move(path)), blob_(std::move(blob)) {}

core::Status LayerFileReader::stream_raw(const oci::Descriptor& d, const Sink& sink) {
  if (d.digest != blob_.digest)
    return core::make_error(file_, "holds " + blob_.digest.str() + ", not " + d.digest.str());
  return core::read_file_chunks(file_, sink);
}

void cache_repo_warning(const BuildOptions& opts, const std::string& name,
                        const std::string& what) {
  BuildObserver& observer = opts.observer ? *opts.observer : no_build_observer();
  observer.cache_warning("cache repo " + opts.cache_repo->where() + ": " + name + ": " + what);
}

void push_entry(const BuildOptions& opts, const std::string& name, const nlohmann::json& record,
                const oci::LayerBlob* blob) {
  if (!opts.cache_repo) return;
  std::optional<oci::Descriptor> d;
  if (blob) d = oci::Descriptor{blob->media_type, blob->digest, blob->size, {}, std::nullopt};
  auto stored = opts.cache_repo->store(name, record, d ? &*d : nullptr, blob ? blob->path : "");
  if (!stored.ok()) {
    cache_repo_warning(opts, name, "not stored: " + stored.error().message());
    return;
  }
  opts.cache_repo->stats().records_pushed++;
}

void share_entry(const BuildOptions& opts, const std::string& name, const nlohmann::json& record,
                 const oci::LayerBlob* blob) {
  if (!opts.cache_repo) return;
  auto there = opts.cache_repo->contains(name);
  if (!there.ok()) {
    cache_repo_warning(opts, name, there.error().message());
    return;
  }
  if (!*there) push_entry(opts, name, record, blob);
}

}  // namespace distill::builder
