#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/key_flags.hpp"
#include "cli/transport_flags.hpp"
#include "registry/reference.hpp"
#include "trust/image_signing.hpp"

namespace distill::cli {
namespace {

struct SignArgs {
  std::string image;
  SigningKeyFlags key;
  transport::Options transport;
};

}  // namespace

Command sign_command() {
  return {"sign", "Sign an image in a registry with a key (cosign's .sig tag, which skopeo reads)",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto a = std::make_shared<SignArgs>();
            sub.add_option("image", a->image, "HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST]")
                ->required();
            add_signing_key_options(sub, a->key);
            add_transport_options(sub, a->transport);
            return [&g, a]() -> core::Status {
              if (!registry::looks_like_reference(a->image))
                return core::make_error(
                    a->image, "is not a registry reference",
                    "sign an image in a registry: HOST[:PORT]/REPOSITORY[:TAG]");
              DISTILL_ASSIGN(trust::PrivateKey key, load_signing_key(a->key));
              DISTILL_ASSIGN(trust::SignResult r,
                             trust::sign_image(a->image, key, a->transport.remote));
              std::printf("%s\n", r.image.c_str());
              if (!g.quiet)
                std::fprintf(stderr, "distill: %s %s (%d signature%s)\n",
                             r.added ? "signature written to" : "this signature is already in",
                             r.signature_ref.c_str(), r.signatures, r.signatures == 1 ? "" : "s");
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
