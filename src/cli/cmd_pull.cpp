#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "registry/reference.hpp"
#include "trust/image_signing.hpp"

namespace distill::cli {

Command pull_command() {
  return {
      "pull", "Pull an image from a registry into an OCI layout or docker-archive",
      [](CLI::App& sub, GlobalOptions& g) -> Action {
        auto src = std::make_shared<std::string>();
        auto out = std::make_shared<std::string>();
        auto o = std::make_shared<transport::CopyOptions>();
        auto verify_key = std::make_shared<std::string>();
        o->format = "oci";
        o->local_destination = true;
        sub.add_option("REF", *src, "HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST]")->required();
        sub.add_option("-o,--output", *out, "Output folder (oci) or tar file (docker)")->required();
        sub.add_option("--format", o->format, "oci or docker")->capture_default_str();
        sub.add_option("--platform", o->platform, "Only this os/arch[/variant] of an index");
        sub.add_option("--verify-key", *verify_key,
                       "Refuse the image unless its signature verifies with this public key "
                       "(checked before anything is written)");
        add_copy_options(sub, *o);
        return [&g, src, out, o, verify_key]() -> core::Status {
          if (!registry::looks_like_reference(*src))
            return core::make_error(*src, "is not a registry reference",
                                    "write HOST[:PORT]/REPOSITORY[:TAG]");
          DISTILL_TRY(transport::parse_output_format(o->format));
          std::string from = *src;
          if (!verify_key->empty()) {
            DISTILL_ASSIGN(from, trust::require_signature(*src, *verify_key, o->write.remote));
          }
          DISTILL_TRY(run_copy(g, from, *out, *o));
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
