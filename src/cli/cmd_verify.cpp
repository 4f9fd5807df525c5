#include <cstdio>
#include <memory>
#include <string>

#include "builder/rebuild.hpp"
#include "cli/commands_list.hpp"
#include "cli/session.hpp"
#include "cli/transport_flags.hpp"
#include "core/strings.hpp"
#include "registry/reference.hpp"
#include "sbom/image_attest.hpp"
#include "trust/image_signing.hpp"

namespace distill::cli {
namespace {

struct VerifyArgs {
  std::string image;
  std::string key;
  bool attestations = false;
  std::string lock_path;
  bool rebuild = false;
  builder::RebuildRequest rebuild_request;
  transport::Options transport;
};

// `--rebuild`: the image built again from its verified provenance.
core::Result<builder::RebuildResult> rebuild(const GlobalOptions& g, const VerifyArgs& a,
                                             const sbom::AttestationCheck& c,
                                             const oci::Digest& image) {
  if (a.rebuild_request.spec_path.empty())
    return core::make_error("--rebuild", "needs the spec the image was built from",
                            "pass --spec FILE; its SHA-256 must be the provenance's");
  DISTILL_ASSIGN(builder::Spec spec, builder::load_spec(a.rebuild_request.spec_path));
  DISTILL_ASSIGN(auto session, open_session(g, spec));
  return builder::rebuild_and_compare(*c.provenance, image, spec, a.rebuild_request, *session->repo,
                                      *session->cache);
}

}  // namespace

Command verify_command() {
  return {
      "verify", "Verify an image's signature with a public key, offline from the key",
      [](CLI::App& sub, GlobalOptions& g) -> Action {
        auto a = std::make_shared<VerifyArgs>();
        sub.add_option("image", a->image, "HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST]")
            ->required();
        sub.add_option("--key", a->key, "Public key (PEM), as distill key generate writes")
            ->required();
        sub.add_flag("--attestations", a->attestations,
                     "Require signed attestations (distill attest); without it they are "
                     "checked when the image has any");
        sub.add_option("--lock", a->lock_path,
                       "Also check the provenance's .debs and indices against this lockfile "
                       "(implies --attestations)");
        sub.add_flag("--rebuild", a->rebuild,
                     "Also rebuild the image from its provenance (needs --spec and --lock, "
                     "whose SHA-256 must be the provenance's; with --offline only from the "
                     "package cache) and require the same manifest digest");
        sub.add_option("--spec", a->rebuild_request.spec_path,
                       "With --rebuild: the spec the image was built from");
        sub.add_flag("--allow-outside", a->rebuild_request.allow_outside,
                     "With --rebuild: let the spec's files come from outside its folder");
        add_transport_options(sub, a->transport);
        return [&g, a]() -> core::Status {
          if (!registry::looks_like_reference(a->image))
            return core::make_error(a->image, "is not a registry reference",
                                    "verify an image in a registry: HOST[:PORT]/REPOSITORY");
          if (!a->rebuild_request.spec_path.empty() && !a->rebuild)
            return core::make_error("--spec", "is only read by --rebuild",
                                    "add --rebuild, or drop --spec");
          a->rebuild_request.lock_path = a->lock_path;
          DISTILL_ASSIGN(trust::PublicKey key, trust::read_public_key_file(a->key));
          DISTILL_ASSIGN(trust::VerifyResult r,
                         trust::verify_image_signature(a->image, key, a->transport.remote));
          for (const std::string& f : r.failures)
            std::fprintf(stderr, "distill: %s: %s\n", r.image.c_str(), f.c_str());
          // The digest the signature was checked for, so both checks
          // see the same manifest even if the tag moves meanwhile.
          DISTILL_ASSIGN(
              sbom::AttestationCheck c,
              sbom::verify_attestations(r.image, key, a->lock_path, a->transport.remote));
          const bool checked = c.present || a->attestations || !a->lock_path.empty() || a->rebuild;
          if (checked)
            for (const auto& f : c.failures)
              std::fprintf(stderr, "distill: error: %s: %s: %s (%s)\n", r.image.c_str(),
                           f.where.c_str(), f.what.c_str(), f.hint.c_str());
          // Both checks run and report before either fails the command,
          // so one run names every check that failed.
          if (!r.ok())
            return core::make_error(r.image, "no valid signature by " + a->key,
                                    "the lines above say which check failed")
                .with_code(core::ErrorCode::kPolicyFailed);
          if (checked && !c.ok())
            return core::make_error(
                       r.image, std::to_string(c.failures.size()) + " attestation check(s) failed",
                       "the lines above say which")
                .with_code(core::ErrorCode::kPolicyFailed);
          if (a->rebuild) {
            // Only a provenance whose signature and checks passed is
            // rebuilt from; a failure names the input that differs.
            auto rebuilt = rebuild(g, *a, c, r.digest);
            if (!rebuilt.ok()) return rebuilt.error().with_where(r.image);
          }
          std::printf("%s\n", r.image.c_str());
          if (!g.quiet) {
            std::fprintf(stderr, "distill: verified signature %d of %d, signed for %s\n", r.valid,
                         r.signatures, r.signed_identity.c_str());
            if (c.present)
              std::fprintf(stderr, "distill: verified %d attestation%s (%s)\n", c.statements,
                           c.statements == 1 ? "" : "s", core::join(c.sources, ", ").c_str());
            if (a->rebuild)
              std::fprintf(stderr, "distill: rebuilt %s from its provenance: same digest\n",
                           r.digest.str().c_str());
          }
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
