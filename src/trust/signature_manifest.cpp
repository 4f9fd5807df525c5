#include "trust/signature_manifest.hpp"

#include <nlohmann/json.hpp>

#include "core/base64.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"
#include "oci/media_types.hpp"
#include "registry/reference.hpp"

namespace distill::trust {
namespace {

std::string empty_signature_config() {
  // What containers/image's empty imgspecv1.Image marshals to, keys sorted.
  return R"({"architecture":"","config":{},"os":"","rootfs":{"diff_ids":[],"type":"layers"}})";
}

core::Result<std::string> config_with_diff_id(std::string_view config, const oci::Digest& d) {
  DISTILL_ASSIGN(nlohmann::json j, core::parse_json(config, "signature config"));
  if (!j.is_object())
    return core::make_error("signature config", "is not a JSON object",
                            "the .sig tag holds something other than signatures");
  nlohmann::json& rootfs = j["rootfs"];
  if (rootfs.is_null()) rootfs = {{"type", "layers"}};
  if (!rootfs.is_object())
    return core::make_error("signature config", "has a rootfs that is not an object");
  nlohmann::json& ids = rootfs["diff_ids"];
  if (ids.is_null()) ids = nlohmann::json::array();
  if (!ids.is_array())
    return core::make_error("signature config", "has rootfs.diff_ids that is not a list");
  ids.push_back(d.str());
  return core::dump_json(j, "signature config");
}

}  // namespace

std::string signature_tag(const oci::Digest& image) {
  return "sha256-" + image.hex() + ".sig";
}

core::Result<bool> add_signature(std::optional<SignatureManifest>& existing,
                                 const SignatureLayer& sig) {
  oci::Descriptor layer = oci::describe(kSimpleSigningMediaType, sig.payload);
  layer.annotations = {{std::string(kSignatureAnnotation), sig.signature_b64}};
  if (!existing) {
    existing = SignatureManifest{};
    existing->manifest.media_type = std::string(oci::kMediaTypeManifest);
    existing->config = empty_signature_config();
  }
  for (const auto& l : existing->manifest.layers)
    if (l.media_type == layer.media_type && l.digest == layer.digest && l.size == layer.size &&
        l.annotations == layer.annotations)
      return false;
  DISTILL_ASSIGN(existing->config, config_with_diff_id(existing->config, layer.digest));
  existing->manifest.layers.push_back(std::move(layer));
  existing->manifest.config = oci::describe(oci::kMediaTypeConfig, existing->config);
  return true;
}

std::string attestation_tag(const oci::Digest& image) {
  return "sha256-" + image.hex() + ".att";
}

core::Result<SignatureManifest> put_attestation(const std::optional<oci::Manifest>& existing,
                                                std::string_view predicate_type,
                                                std::string_view envelope) {
  SignatureManifest out;
  out.manifest.media_type = std::string(oci::kMediaTypeManifest);
  out.config = empty_signature_config();
  const std::string key(kPredicateTypeAnnotation);
  std::vector<oci::Descriptor> layers;
  if (existing)
    for (const auto& l : existing->layers) {
      auto t = l.annotations.find(key);
      if (t == l.annotations.end() || t->second != predicate_type) layers.push_back(l);
    }
  oci::Descriptor layer = oci::describe(kDsseEnvelopeMediaType, envelope);
  layer.annotations = {{std::string(kSignatureAnnotation), ""}, {key, std::string(predicate_type)}};
  layers.push_back(std::move(layer));
  for (const auto& l : layers) {
    DISTILL_ASSIGN(out.config, config_with_diff_id(out.config, l.digest));
  }
  out.manifest.layers = std::move(layers);
  out.manifest.config = oci::describe(oci::kMediaTypeConfig, out.config);
  return out;
}

core::Result<SignatureLayer> make_signature(const PrivateKey& key, std::string_view image_name,
                                            const oci::Digest& digest) {
  SimpleSigningPayload p;
  p.docker_reference = std::string(image_name);
  p.manifest_digest = digest;
  SignatureLayer s;
  DISTILL_ASSIGN(s.payload, simple_signing_json(p));
  DISTILL_ASSIGN(std::string der, key.sign(s.payload));
  s.signature_b64 = core::base64_encode(der);
  return s;
}

LayerCheck check_signature_layer(const oci::Descriptor& layer, std::string_view blob,
                                 const PublicKey& key, std::string_view image_name,
                                 const oci::Digest& image_digest) {
  LayerCheck c;
  if (oci::Digest::of(blob) != layer.digest || std::ssize(blob) != layer.size) {
    c.failure = "payload blob does not match its digest " + layer.digest.str() +
                " (the registry served altered content)";
    return c;
  }
  if (layer.media_type != kSimpleSigningMediaType) {
    c.failure = "is not a signature (media type " + core::escape_control(layer.media_type) + ")";
    return c;
  }
  auto sig = layer.annotations.find(std::string(kSignatureAnnotation));
  if (sig == layer.annotations.end()) {
    c.failure = "bad signature: no " + std::string(kSignatureAnnotation) + " annotation";
    return c;
  }
  auto der = core::base64_decode(sig->second);
  if (!der) {
    c.failure = "bad signature: the annotation is not base64";
    return c;
  }
  if (!key.verify(blob, *der)) {
    c.failure =
        "signature does not verify with the public key (another key signed it, or the "
        "signature or payload was altered)";
    return c;
  }
  auto parsed = parse_simple_signing(blob, "payload");
  if (!parsed.ok()) {
    c.failure = "signed payload is unreadable: " + parsed.error().message();
    return c;
  }
  c.payload = std::move(parsed).value();
  if (c.payload.manifest_digest != image_digest) {
    c.failure = "digest mismatch: signed for " + c.payload.manifest_digest.str() +
                ", the image is " + image_digest.str();
    return c;
  }
  auto ref = registry::parse_reference(c.payload.docker_reference);
  if (!ref.ok() || ref->name() != image_name) {
    c.failure = "reference mismatch: signed for " +
                core::escape_control(c.payload.docker_reference) + ", not " +
                std::string(image_name);
    return c;
  }
  return c;
}

}  // namespace distill::trust
