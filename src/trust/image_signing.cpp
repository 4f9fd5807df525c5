#include "trust/image_signing.hpp"

#include <optional>

#include "core/file_util.hpp"
#include "core/strings.hpp"
#include "oci/media_types.hpp"
#include "registry/client.hpp"
#include "registry/reference.hpp"
#include "trust/pem.hpp"
#include "trust/signature_manifest.hpp"
#include "trust/simple_signing.hpp"
#include "trust/tag_manifest.hpp"

namespace distill::trust {
namespace {

// Signature configs are a few hundred bytes per signature.
constexpr int64_t kMaxSignatureConfigSize = 4 << 20;

// The `.sig` manifest of `digest`, or nullopt when the tag does not exist.
core::Result<std::optional<oci::Manifest>> fetch_signature_manifest(registry::Client& client,
                                                                    const std::string& repo,
                                                                    const oci::Digest& digest) {
  return fetch_tag_manifest(client, repo, signature_tag(digest));
}

}  // namespace

core::Result<ImageTarget> resolve_image(const std::string& reference,
                                        const registry::RemoteOptions& remote) {
  ImageTarget t;
  DISTILL_ASSIGN(t.ref, registry::parse_reference(reference));
  DISTILL_ASSIGN(t.conn, registry::Remote::connect(t.ref.registry, remote));
  // The whole manifest, not a HEAD: its digest is computed here, never
  // taken from a header.
  DISTILL_ASSIGN(registry::FetchedManifest m,
                 t.conn->client().get_manifest(t.ref.repository, t.ref.identifier()));
  t.digest = m.digest;
  t.media_type = m.media_type;
  t.size = std::ssize(m.body);
  return t;
}

core::Result<PublicKey> read_public_key_file(const std::string& path) {
  DISTILL_ASSIGN(std::string text, core::read_file(path));
  return PublicKey::from_pem(text, path);
}

core::Result<SignResult> sign_image(const std::string& reference, const PrivateKey& key,
                                    const registry::RemoteOptions& remote) {
  DISTILL_ASSIGN(ImageTarget t, resolve_image(reference, remote));
  registry::Client& client = t.conn->client();
  const std::string& repo = t.ref.repository;
  DISTILL_ASSIGN(SignatureLayer sig, make_signature(key, t.ref.name(), t.digest));

  std::optional<SignatureManifest> sigs;
  DISTILL_ASSIGN(std::optional<oci::Manifest> existing,
                 fetch_signature_manifest(client, repo, t.digest));
  if (existing) {
    DISTILL_ASSIGN(std::string config,
                   fetch_small_blob(client, repo, existing->config, kMaxSignatureConfigSize));
    sigs = SignatureManifest{std::move(*existing), std::move(config)};
  }
  SignResult r;
  r.image = t.ref.name() + "@" + t.digest.str();
  r.signature_ref = t.ref.name() + ":" + signature_tag(t.digest);
  DISTILL_ASSIGN(r.added, add_signature(sigs, sig));
  r.signatures = static_cast<int>(sigs->manifest.layers.size());
  if (!r.added) return r;
  DISTILL_TRY(ensure_blob(client, repo, sig.payload));
  DISTILL_TRY(ensure_blob(client, repo, sigs->config));
  DISTILL_ASSIGN(std::string body, oci::manifest_json(sigs->manifest));
  DISTILL_TRY(client.put_manifest(repo, signature_tag(t.digest), oci::kMediaTypeManifest, body));
  return r;
}

core::Result<VerifyResult> verify_image_signature(const std::string& reference,
                                                  const PublicKey& key,
                                                  const registry::RemoteOptions& remote) {
  DISTILL_ASSIGN(ImageTarget t, resolve_image(reference, remote));
  registry::Client& client = t.conn->client();
  VerifyResult r;
  r.image = t.ref.name() + "@" + t.digest.str();
  r.digest = t.digest;
  DISTILL_ASSIGN(std::optional<oci::Manifest> sigs,
                 fetch_signature_manifest(client, t.ref.repository, t.digest));
  if (!sigs || sigs->layers.empty()) {
    r.failures.push_back("no signature: " + t.ref.name() + ":" + signature_tag(t.digest) +
                         " does not exist");
    return r;
  }
  r.signatures = static_cast<int>(sigs->layers.size());
  for (size_t i = 0; i < sigs->layers.size(); ++i) {
    const oci::Descriptor& layer = sigs->layers[i];
    const std::string label = "signature " + std::to_string(i + 1) + ": ";
    auto blob = fetch_small_blob(client, t.ref.repository, layer, kMaxPayloadSize);
    if (!blob.ok()) {
      r.failures.push_back(label + blob.error().message());
      continue;
    }
    LayerCheck c = check_signature_layer(layer, *blob, key, t.ref.name(), t.digest);
    if (!c.ok()) {
      r.failures.push_back(label + c.failure);
      continue;
    }
    r.valid = static_cast<int>(i + 1);
    r.signed_identity = c.payload.docker_reference;
    break;
  }
  return r;
}

core::Result<std::string> require_signature(const std::string& reference,
                                            const std::string& public_key_file,
                                            const registry::RemoteOptions& remote) {
  // Signatures live beside the image in its registry; a layout or an
  // archive carries none to check.
  if (!registry::looks_like_reference(reference))
    return core::make_error(reference, "only a registry image carries a signature to verify",
                            "give HOST[:PORT]/REPOSITORY[:TAG], or drop the verify key");
  DISTILL_ASSIGN(PublicKey key, read_public_key_file(public_key_file));
  DISTILL_ASSIGN(VerifyResult v, verify_image_signature(reference, key, remote));
  if (!v.ok())
    return core::make_error(
               v.image,
               "no valid signature by " + public_key_file + ": " + core::join(v.failures, "; "),
               "sign it with distill sign or cosign, or check the key")
        .with_code(core::ErrorCode::kPolicyFailed);
  DISTILL_ASSIGN(registry::Reference ref, registry::parse_reference(reference));
  ref.digest = v.digest.str();
  return ref.str();
}

}  // namespace distill::trust
