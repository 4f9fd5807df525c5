#include "sbom/image_attest.hpp"

#include <filesystem>
#include <optional>
#include <set>

#include "core/dsse.hpp"
#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/sha256.hpp"
#include "core/strings.hpp"
#include "image/image_source.hpp"
#include "oci/media_types.hpp"
#include "registry/referrers.hpp"
#include "sbom/attestation.hpp"
#include "sbom/inventory.hpp"
#include "transport/open.hpp"
#include "trust/image_signing.hpp"
#include "trust/signature_manifest.hpp"
#include "trust/tag_manifest.hpp"

namespace distill::sbom {
namespace {

class KeySigner : public core::dsse::Signer {
 public:
  explicit KeySigner(const trust::PrivateKey& key) : key_(key) {}
  std::string keyid() const override { return ""; }
  core::Result<std::string> sign(std::string_view message) const override {
    return key_.sign(message);
  }

 private:
  const trust::PrivateKey& key_;
};

class KeyVerifier : public core::dsse::Verifier {
 public:
  explicit KeyVerifier(const trust::PublicKey& key) : key_(key) {}
  core::Result<bool> verify(std::string_view, std::string_view message,
                            std::string_view sig) const override {
    return key_.verify(message, sig);
  }

 private:
  const trust::PublicKey& key_;
};

std::string file_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

std::string platform_arch(const std::string& platform) {
  size_t slash = platform.find('/');
  std::string rest = slash == std::string::npos ? platform : platform.substr(slash + 1);
  return rest.substr(0, rest.find('/'));
}

core::Result<std::vector<Statement>> image_statements(const trust::ImageTarget& t,
                                                      const AttestOptions& options,
                                                      const registry::RemoteOptions& remote) {
  const std::string pinned = t.ref.name() + "@" + t.digest.str();
  ResourceDescriptor subject{t.ref.name(), "", {{"sha256", t.digest.hex()}}, {}};
  std::vector<Statement> out;
  ProvenanceInput in;
  debian::Lockfile lock;
  if (!options.lock_path.empty()) {
    DISTILL_ASSIGN(in.lock_text, core::read_file(options.lock_path));
    DISTILL_ASSIGN(lock, debian::Lockfile::parse(in.lock_text, options.lock_path));
    in.lock = &lock;
    in.lock_name = file_name(options.lock_path);
  }
  if (!options.spec_path.empty()) {
    DISTILL_ASSIGN(in.spec_text, core::read_file(options.spec_path));
    in.spec_name = file_name(options.spec_path);
  }
  // The image opened once, with the command's registry options, by the
  // digest just resolved; its inventory read once for both SBOMs.
  transport::Options topts;
  topts.remote = remote;
  DISTILL_ASSIGN(auto source, transport::open_image(pinned, topts));
  if (source->images().size() != 1 || source->images()[0].manifest_descriptor.digest != t.digest)
    return core::make_error(pinned, "is a multi-platform index",
                            "attest one platform image: HOST/REPO@sha256:<its manifest digest>");
  const std::string platform = source->images()[0].config.platform.str();
  in.architecture = platform_arch(platform);
  // What a rebuild needs and the image itself says: its creation time is the
  // build's SOURCE_DATE_EPOCH, its layers' media type the compression.
  in.source_date_epoch = source->images()[0].config.created;
  for (const oci::Descriptor& l : source->images()[0].manifest.layers)
    if (l.media_type.find("zstd") != std::string::npos) in.compression = "zstd";
  in.debug = options.debug;
  in.files = options.files;
  DISTILL_ASSIGN(ImageInventory inv, read_inventory(*source, {platform, true, nullptr, topts}));
  for (SbomFormat f : {SbomFormat::kSpdxJson, SbomFormat::kCycloneDxJson}) {
    DISTILL_ASSIGN(std::string text, render_sbom(inv, f));
    DISTILL_ASSIGN(Statement s, sbom_statement(subject, f, text));
    out.push_back(std::move(s));
  }
  DISTILL_ASSIGN(Provenance p, image_provenance(in));
  DISTILL_ASSIGN(Statement prov, provenance_statement({subject}, p));
  out.insert(out.begin(), std::move(prov));
  return out;
}

}  // namespace

core::Result<AttestResult> attest_image(const std::string& reference, const trust::PrivateKey& key,
                                        const AttestOptions& options,
                                        const registry::RemoteOptions& remote) {
  DISTILL_ASSIGN(trust::ImageTarget t, trust::resolve_image(reference, remote));
  if (!oci::is_manifest_media_type(t.media_type))
    return core::make_error(t.ref.name() + "@" + t.digest.str(), "is a multi-platform index",
                            "attest one platform image: HOST/REPO@sha256:<its manifest digest>");
  DISTILL_ASSIGN(std::vector<Statement> statements, image_statements(t, options, remote));
  registry::Client& client = t.conn->client();
  const std::string& repo = t.ref.repository;
  const oci::Descriptor subject{t.media_type, t.digest, t.size, {}, std::nullopt};
  const std::string att_tag = trust::attestation_tag(t.digest);
  DISTILL_ASSIGN(std::optional<oci::Manifest> att,
                 trust::fetch_tag_manifest(client, repo, att_tag));
  AttestResult r;
  r.image = t.ref.name() + "@" + t.digest.str();
  KeySigner signer(key);
  for (const Statement& s : statements) {
    DISTILL_ASSIGN(std::string payload, statement_payload(s));
    DISTILL_ASSIGN(core::dsse::Envelope env,
                   core::dsse::sign(kInTotoPayloadType, payload, {&signer}));
    DISTILL_ASSIGN(std::string envelope, core::dsse::envelope_json(env));
    registry::Artifact a;
    a.artifact_type = std::string(trust::kDsseEnvelopeMediaType);
    a.media_type = a.artifact_type;
    a.data = envelope;
    a.annotations = {{"in-toto.io/predicate-type", s.predicate_type}};
    DISTILL_ASSIGN(oci::Descriptor pushed, registry::push_referrer(client, repo, subject, a));
    DISTILL_ASSIGN(trust::SignatureManifest m,
                   trust::put_attestation(att, s.predicate_type, envelope));
    DISTILL_TRY(trust::ensure_blob(client, repo, envelope));
    DISTILL_TRY(trust::ensure_blob(client, repo, m.config));
    att = m.manifest;
    r.lines.push_back(s.predicate_type + " " + t.ref.name() + "@" + pushed.digest.str() + " " +
                      t.ref.name() + ":" + att_tag);
  }
  DISTILL_ASSIGN(std::string body, oci::manifest_json(*att));
  DISTILL_TRY(client.put_manifest(repo, att_tag, oci::kMediaTypeManifest, body));
  return r;
}

namespace {

struct CheckedStatement {
  std::string label;
  Statement statement;
};

// Checks one layer of the `.att` manifest; a failure is added to `c`.
std::optional<Statement> check_layer(registry::Client& client, const std::string& repo,
                                     const oci::Descriptor& layer, const std::string& label,
                                     const trust::PublicKey& key, const oci::Digest& image,
                                     AttestationCheck& c) {
  auto fail = [&](std::string what, std::string hint) {
    c.failures.push_back({label, std::move(what), std::move(hint)});
    return std::optional<Statement>();
  };
  if (layer.media_type != trust::kDsseEnvelopeMediaType)
    return fail("envelope: is not a DSSE envelope (media type " +
                    core::escape_control(layer.media_type) + ")",
                "the .att tag holds something else");
  auto blob = trust::fetch_small_blob(client, repo, layer,
                                      static_cast<int64_t>(core::dsse::kMaxEnvelopeBytes));
  if (!blob.ok())
    return fail("envelope: " + blob.error().message(), "the registry served altered content");
  auto env = core::dsse::parse_envelope(*blob, label);
  if (!env.ok()) return fail("envelope: " + env.error().message(), "not a DSSE envelope");
  if (env->payload_type != kInTotoPayloadType)
    return fail("envelope: payload type is " + core::escape_control(env->payload_type),
                "an in-toto statement's is " + std::string(kInTotoPayloadType));
  KeyVerifier verifier(key);
  auto verified = core::dsse::verify(*env, verifier);
  if (!verified.ok())
    return fail("signature: does not verify with the public key",
                "another key signed it, or the statement or signature was altered");
  auto s = parse_statement(env->payload, label);
  if (!s.ok()) return fail("statement: " + s.error().message(), "not an in-toto Statement v1");
  bool about_image = false;
  for (const auto& subj : s->subjects) {
    auto it = subj.digest.find("sha256");
    if (it != subj.digest.end() && it->second == image.hex()) about_image = true;
  }
  if (!about_image) {
    std::string got = s->subjects.empty() ? "" : s->subjects[0].digest.begin()->second;
    return fail("subject: the statement is about sha256:" + core::escape_control(got) +
                    ", the image is " + image.str(),
                "it was made for another image, or the image changed");
  }
  return std::move(s).value();
}

void check_dependencies(const std::vector<CheckedStatement>& statements,
                        const debian::Lockfile* lock, AttestationCheck& c) {
  std::vector<const CheckedStatement*> provs;
  for (const auto& s : statements)
    if (s.statement.predicate_type == kSlsaProvenanceV1) provs.push_back(&s);
  if (provs.empty()) {
    c.failures.push_back({"provenance", "no signed SLSA provenance statement is attached",
                          "attach one with distill attest"});
    return;
  }
  // Every provenance found (the .att tag's and older referrers) must agree
  // with every SBOM and the lockfile: none is trusted over another.
  for (const CheckedStatement* prov : provs) {
    auto debs = provenance_debs(prov->statement.predicate);
    if (!debs.ok()) {
      c.failures.push_back({prov->label, debs.error().message(), "not distill's provenance"});
      continue;
    }
    const std::string name = "provenance";
    for (const auto& s : statements) {
      if (s.statement.predicate_type != kSpdxPredicateType &&
          s.statement.predicate_type != kCycloneDxPredicateType)
        continue;
      auto listed = sbom_debs(s.statement);
      if (!listed.ok()) continue;
      for (std::string& d : compare_with_sbom(*debs, *listed))
        c.failures.push_back({name + " vs " + s.label, "dependencies: " + d,
                              "the provenance and the SBOM describe different packages"});
    }
    if (lock)
      for (std::string& d : compare_with_lock(*debs, *lock))
        c.failures.push_back({name + " vs lockfile", "dependencies: " + d,
                              "the image was not built from this lockfile"});
  }
  c.provenance = provs.front()->statement;
}

// One envelope to check and where it was listed.
struct FoundEnvelope {
  oci::Descriptor layer;
  std::string predicate_type;
};

// The DSSE envelopes of the referrer manifests an index lists (the referrers
// API's answer or the referrers tag's index): entries of another
// artifactType are someone else's and skipped.
core::Result<std::vector<FoundEnvelope>> referrer_envelopes(registry::Client& client,
                                                            const std::string& repo,
                                                            std::string_view index_text,
                                                            const std::string& where) {
  DISTILL_ASSIGN(oci::Index index, oci::parse_index(index_text, where));
  DISTILL_ASSIGN(nlohmann::json raw, core::parse_json(index_text, where));
  const nlohmann::json& entries = raw["manifests"];
  std::vector<FoundEnvelope> out;
  for (size_t i = 0; i < index.manifests.size(); ++i) {
    const nlohmann::json& e = entries[i];
    auto artifact = e.is_object() ? e.find("artifactType") : e.end();
    if (artifact == e.end() || !artifact->is_string() ||
        artifact->get<std::string>() != trust::kDsseEnvelopeMediaType)
      continue;
    const oci::Descriptor& d = index.manifests[i];
    DISTILL_ASSIGN(registry::FetchedManifest fm, client.get_manifest(repo, d.digest.str()));
    DISTILL_ASSIGN(oci::Manifest m, oci::parse_manifest(fm.body, where + " " + d.digest.str()));
    std::string type;
    if (auto t = m.annotations.find("in-toto.io/predicate-type"); t != m.annotations.end())
      type = t->second;
    for (const oci::Descriptor& layer : m.layers) out.push_back({layer, type});
  }
  return out;
}

// The referrers of `image`: through the referrers API, or where the
// registry has none, the referrers tag schema's index ("sha256-<hex>").
// `source` says which answered; "" when neither lists anything.
core::Result<std::vector<FoundEnvelope>> find_referrers(registry::Client& client,
                                                        const std::string& repo,
                                                        const oci::Digest& image,
                                                        std::string& source) {
  const std::string where = repo + " referrers of " + image.str();
  DISTILL_ASSIGN(std::optional<std::string> api, client.get_referrers(repo, image));
  if (api) {
    source = "referrers API";
    return referrer_envelopes(client, repo, *api, where);
  }
  const std::string tag = registry::referrers_tag(image);
  DISTILL_ASSIGN(std::string current, client.manifest_digest(repo, tag));
  if (current.empty()) return std::vector<FoundEnvelope>();
  DISTILL_ASSIGN(registry::FetchedManifest fm, client.get_manifest(repo, tag));
  source = "referrers tag " + tag;
  return referrer_envelopes(client, repo, fm.body, repo + ":" + tag);
}

}  // namespace

core::Result<AttestationCheck> check_attestations(registry::Client& client, const std::string& repo,
                                                  const std::string& image_name,
                                                  const oci::Digest& image,
                                                  const trust::PublicKey& key,
                                                  const debian::Lockfile* lock) {
  AttestationCheck c;
  c.image = image_name;
  // cosign's `.att` tag first (one statement per type, the latest), then the
  // referrers; the same envelope listed in both is checked once.
  std::vector<FoundEnvelope> found;
  const std::string tag = trust::attestation_tag(image);
  DISTILL_ASSIGN(std::optional<oci::Manifest> att, trust::fetch_tag_manifest(client, repo, tag));
  if (att && !att->layers.empty()) {
    c.sources.push_back(".att tag");
    for (const oci::Descriptor& layer : att->layers) {
      auto type = layer.annotations.find(std::string(trust::kPredicateTypeAnnotation));
      found.push_back({layer, type == layer.annotations.end() ? "" : type->second});
    }
  }
  std::string source;
  DISTILL_ASSIGN(std::vector<FoundEnvelope> referred, find_referrers(client, repo, image, source));
  if (!referred.empty()) c.sources.push_back(source);
  std::set<std::string> seen_blobs;
  for (const FoundEnvelope& f : found) seen_blobs.insert(f.layer.digest.str());
  for (FoundEnvelope& f : referred)
    if (seen_blobs.insert(f.layer.digest.str()).second) found.push_back(std::move(f));
  if (found.empty()) {
    c.failures.push_back({"attestations",
                          image_name.substr(0, image_name.find('@')) + ":" + tag +
                              " does not exist and no referrer is a DSSE envelope",
                          "attach them with distill attest"});
    return c;
  }
  c.present = true;
  std::vector<CheckedStatement> good;
  // Statements re-signed by a later attest of the same image are the same
  // statement: counted and compared once.
  std::set<std::string> seen_payloads;
  for (size_t i = 0; i < found.size(); ++i) {
    std::string label = "attestation " + std::to_string(i + 1);
    if (!found[i].predicate_type.empty())
      label += " (" + core::escape_control(found[i].predicate_type) + ")";
    auto s = check_layer(client, repo, found[i].layer, label, key, image, c);
    if (!s) continue;
    auto payload = statement_payload(*s);
    if (payload.ok() && !seen_payloads.insert(core::sha256_hex(*payload)).second) continue;
    good.push_back({label, std::move(*s)});
  }
  c.statements = static_cast<int>(good.size() + c.failures.size());
  if (c.failures.empty()) check_dependencies(good, lock, c);
  return c;
}

core::Result<AttestationCheck> verify_attestations(const std::string& reference,
                                                   const trust::PublicKey& key,
                                                   const std::string& lock_path,
                                                   const registry::RemoteOptions& remote) {
  std::optional<debian::Lockfile> lock;
  if (!lock_path.empty()) {
    DISTILL_ASSIGN(std::string text, core::read_file(lock_path));
    DISTILL_ASSIGN(lock, debian::Lockfile::parse(text, lock_path));
  }
  DISTILL_ASSIGN(trust::ImageTarget t, trust::resolve_image(reference, remote));
  return check_attestations(t.conn->client(), t.ref.repository, t.ref.name() + "@" + t.digest.str(),
                            t.digest, key, lock ? &*lock : nullptr);
}

}  // namespace distill::sbom
