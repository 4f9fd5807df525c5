#include "trust/tag_manifest.hpp"

#include "core/strings.hpp"
#include "oci/media_types.hpp"

namespace distill::trust {

core::Result<std::string> fetch_small_blob(registry::Client& client, const std::string& repo,
                                           const oci::Descriptor& d, int64_t limit) {
  const std::string where = client.registry() + "/" + repo + "@" + d.digest.str();
  if (d.size > limit)
    return core::make_error(where, "is larger than " + std::to_string(limit) + " bytes",
                            "not a signature blob");
  std::string body;
  net::BodySink sink = [&](std::string_view chunk) {
    if (std::ssize(body) + std::ssize(chunk) > limit) return false;
    body.append(chunk);
    return true;
  };
  DISTILL_TRY(client.get_blob(repo, d.digest, sink));
  return body;
}

core::Status ensure_blob(registry::Client& client, const std::string& repo, std::string_view data) {
  oci::Digest digest = oci::Digest::of(data);
  DISTILL_ASSIGN(bool present, client.blob_exists(repo, digest));
  if (present) return core::Status::Ok();
  return client.upload_blob(repo, digest, data);
}

core::Result<std::optional<oci::Manifest>> fetch_tag_manifest(registry::Client& client,
                                                              const std::string& repo,
                                                              const std::string& tag) {
  DISTILL_ASSIGN(std::string current, client.manifest_digest(repo, tag));
  if (current.empty()) return std::optional<oci::Manifest>();
  DISTILL_ASSIGN(registry::FetchedManifest m, client.get_manifest(repo, tag));
  const std::string where = client.registry() + "/" + repo + ":" + tag;
  if (m.media_type != oci::kMediaTypeManifest)
    return core::make_error(where, "is a " + core::escape_control(m.media_type) +
                                       ", not an OCI image manifest of signatures");
  DISTILL_ASSIGN(oci::Manifest parsed, oci::parse_manifest(m.body, where));
  return std::optional<oci::Manifest>(std::move(parsed));
}

}  // namespace distill::trust
