#include "registry/registry_reader.hpp"

#include "oci/media_types.hpp"

namespace distill::registry {

core::Result<std::unique_ptr<RegistryReader>> RegistryReader::open(
    const Reference& ref, std::unique_ptr<Remote> remote, const oci::ReaderLimits& limits) {
  std::unique_ptr<RegistryReader> r(new RegistryReader(ref, remote->client(), limits));
  r->remote_ = std::move(remote);
  DISTILL_TRY(r->load());
  return r;
}

core::Result<std::unique_ptr<RegistryReader>> RegistryReader::open(
    const Reference& ref, Client& client, const oci::ReaderLimits& limits) {
  std::unique_ptr<RegistryReader> r(new RegistryReader(ref, client, limits));
  DISTILL_TRY(r->load());
  return r;
}

core::Status RegistryReader::load() {
  DISTILL_ASSIGN(FetchedManifest top, client().get_manifest(ref_.repository, ref_.identifier()));
  oci::Descriptor d;
  d.media_type = top.media_type;
  d.digest = top.digest;
  d.size = static_cast<int64_t>(top.body.size());
  if (!ref_.tag.empty() || ref_.digest.empty())
    d.annotations[std::string(oci::kAnnotationRefName)] = ref_.tag.empty() ? "latest" : ref_.tag;
  manifests_[top.digest] = std::move(top.body);
  index_.manifests.push_back(std::move(d));
  return core::Status::Ok();
}

core::Status RegistryReader::stream_raw(const oci::Descriptor& d, const Sink& sink) {
  if (oci::is_manifest_media_type(d.media_type) || oci::is_index_media_type(d.media_type)) {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = manifests_.find(d.digest); it != manifests_.end()) body = it->second;
    }
    if (body.empty()) {
      DISTILL_ASSIGN(FetchedManifest m, client().get_manifest(ref_.repository, d.digest.str()));
      body = std::move(m.body);
    }
    return sink(body);
  }
  // The client resumes a cut download where it stopped, so the sink (and
  // the hash behind it) sees each byte once; its own error wins over the
  // transfer's "aborted".
  core::Status failed;
  net::BodySink forward = [&](std::string_view chunk) {
    failed = sink(chunk);
    return failed.ok();
  };
  core::Status got = client().get_blob(ref_.repository, d.digest, forward);
  if (!failed.ok()) return failed;
  return got;
}

core::Result<std::unique_ptr<oci::ImageReader>> open_registry_reader(
    std::string_view text, const RemoteOptions& options, const oci::ReaderLimits& limits) {
  DISTILL_ASSIGN(Reference ref, parse_reference(text));
  DISTILL_ASSIGN(auto remote, Remote::connect(ref.registry, options));
  DISTILL_ASSIGN(auto reader, RegistryReader::open(ref, std::move(remote), limits));
  return std::unique_ptr<oci::ImageReader>(std::move(reader));
}

}  // namespace distill::registry
