#include <cstdio>
#include <memory>
#include <string>

#include "builder/provenance_inputs.hpp"
#include "cli/commands_list.hpp"
#include "cli/key_flags.hpp"
#include "cli/transport_flags.hpp"
#include "registry/reference.hpp"

namespace distill::cli {
namespace {

struct AttestArgs {
  std::string image;
  SigningKeyFlags key;
  builder::AttestRequest options;
  transport::Options transport;
};

}  // namespace

Command attest_command() {
  return {
      "attest",
      "Sign and attach an image's SLSA provenance and SBOMs (in-toto statements in DSSE envelopes)",
      [](CLI::App& sub, GlobalOptions&) -> Action {
        auto a = std::make_shared<AttestArgs>();
        sub.add_option("image", a->image, "HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST]")
            ->required();
        add_signing_key_options(sub, a->key);
        sub.add_option("--lock", a->options.lock_path,
                       "The lockfile the image was built from: its .debs and indices become the "
                       "provenance's resolved dependencies");
        sub.add_option("--spec", a->options.spec_path,
                       "The spec the image was built from (recorded by name and SHA-256, its "
                       "files each by path and SHA-256)");
        sub.add_flag("--allow-outside", a->options.allow_outside,
                     "Let the spec's files come from outside its folder, as build does");
        sub.add_flag("--debug", a->options.debug,
                     "The image is the spec's debug variant (built with build --debug)");
        add_transport_options(sub, a->transport);
        return [a]() -> core::Status {
          if (!registry::looks_like_reference(a->image))
            return core::make_error(a->image, "is not a registry reference",
                                    "attest an image in a registry: HOST[:PORT]/REPOSITORY[:TAG]");
          DISTILL_ASSIGN(trust::PrivateKey key, load_signing_key(a->key));
          DISTILL_ASSIGN(sbom::AttestResult r, builder::attest_spec_image(a->image, key, a->options,
                                                                          a->transport.remote));
          for (const std::string& line : r.lines) std::printf("%s\n", line.c_str());
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
