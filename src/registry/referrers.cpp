#include "registry/referrers.hpp"

#include <nlohmann/json.hpp>

#include "core/json.hpp"
#include "oci/media_types.hpp"

namespace distill::registry {
namespace {

// Referrers indexes are small; a huge one is refused rather than rewritten.
constexpr size_t kMaxIndexEntries = 10000;

nlohmann::json descriptor_json(const oci::Descriptor& d) {
  nlohmann::json j = {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

core::Status ensure_blob(Client& client, const std::string& repo, std::string_view data) {
  oci::Digest digest = oci::Digest::of(data);
  DISTILL_ASSIGN(bool present, client.blob_exists(repo, digest));
  if (present) return core::Status::Ok();
  return client.upload_blob(repo, digest, data);
}

}  // namespace

std::string referrers_tag(const oci::Digest& subject) {
  return "sha256-" + subject.hex();
}

core::Result<std::string> artifact_manifest_json(const Artifact& artifact,
                                                 const oci::Descriptor& subject) {
  oci::Descriptor config = oci::describe(kMediaTypeEmptyJson, kEmptyJson);
  oci::Descriptor layer = oci::describe(artifact.media_type, artifact.data);
  oci::Descriptor subj{subject.media_type, subject.digest, subject.size, {}, std::nullopt};
  nlohmann::json j = {{"schemaVersion", 2},
                      {"mediaType", oci::kMediaTypeManifest},
                      {"artifactType", artifact.artifact_type},
                      {"config", descriptor_json(config)},
                      {"layers", nlohmann::json::array({descriptor_json(layer)})},
                      {"subject", descriptor_json(subj)}};
  if (!artifact.annotations.empty()) j["annotations"] = artifact.annotations;
  try {
    return j.dump();
  } catch (const nlohmann::json::exception& e) {
    return core::make_error(subject.digest.str(),
                            std::string("cannot write the artifact: ") + e.what());
  }
}

core::Result<std::string> add_referrer(std::string_view existing, const oci::Descriptor& entry,
                                       std::string_view artifact_type, std::string_view where) {
  nlohmann::json index = {{"schemaVersion", 2},
                          {"mediaType", oci::kMediaTypeIndex},
                          {"manifests", nlohmann::json::array()}};
  if (!existing.empty()) {
    auto parsed = core::parse_json(existing);
    if (!parsed.ok())
      return core::make_error(std::string(where), "bad referrers index: " + parsed.error().what);
    index = std::move(parsed).value();
  }
  try {
    if (!existing.empty()) {
      if (!index.is_object() || index.value("mediaType", "") != oci::kMediaTypeIndex ||
          !index["manifests"].is_array())
        return core::make_error(std::string(where), "holds something other than an image index",
                                "the referrers tag is not distill's to overwrite");
    }
    auto& manifests = index["manifests"];
    if (manifests.size() >= kMaxIndexEntries)
      return core::make_error(std::string(where), "lists too many referrers");
    nlohmann::json e = descriptor_json(entry);
    e["artifactType"] = artifact_type;
    std::string digest = entry.digest.str();
    nlohmann::json kept = nlohmann::json::array();
    for (auto& m : manifests)
      if (!m.is_object() || m.value("digest", "") != digest) kept.push_back(std::move(m));
    kept.push_back(std::move(e));
    manifests = std::move(kept);
    return index.dump();
  } catch (const nlohmann::json::exception& e) {
    return core::make_error(std::string(where), std::string("bad referrers index: ") + e.what());
  }
}

core::Result<oci::Descriptor> push_referrer(Client& client, const std::string& repo,
                                            const oci::Descriptor& subject,
                                            const Artifact& artifact) {
  DISTILL_TRY(ensure_blob(client, repo, kEmptyJson));
  DISTILL_TRY(ensure_blob(client, repo, artifact.data));
  DISTILL_ASSIGN(std::string body, artifact_manifest_json(artifact, subject));
  oci::Descriptor pushed = oci::describe(oci::kMediaTypeManifest, body);
  pushed.annotations = artifact.annotations;
  DISTILL_TRY(client.put_manifest(repo, pushed.digest.str(), oci::kMediaTypeManifest, body));
  std::string tag = referrers_tag(subject.digest);
  std::string where = repo + ":" + tag;
  DISTILL_ASSIGN(std::string current, client.manifest_digest(repo, tag));
  std::string existing;
  if (!current.empty()) {
    DISTILL_ASSIGN(FetchedManifest m, client.get_manifest(repo, tag));
    existing = std::move(m.body);
  }
  DISTILL_ASSIGN(std::string index, add_referrer(existing, pushed, artifact.artifact_type, where));
  DISTILL_TRY(client.put_manifest(repo, tag, oci::kMediaTypeIndex, index));
  return pushed;
}

}  // namespace distill::registry
