#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/key_flags.hpp"
#include "trust/key_file.hpp"
#include "trust/passphrase.hpp"

namespace distill::cli {
namespace {

struct KeyArgs {
  std::string prefix = "cosign";
  std::string passphrase_file;
};

}  // namespace

Command key_command() {
  return {"key", "Manage signing keys (generate)", [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto a = std::make_shared<KeyArgs>();
            sub.require_subcommand(1);
            CLI::App* gen = sub.add_subcommand(
                "generate",
                "Write an ECDSA P-256 key pair: PREFIX.key (cosign's encrypted format) and "
                "PREFIX.pub");
            gen->add_option("--output-key-prefix", a->prefix, "Write PREFIX.key and PREFIX.pub")
                ->capture_default_str();
            add_passphrase_option(*gen, a->passphrase_file);
            return [&g, a]() -> core::Status {
              DISTILL_ASSIGN(std::string pass,
                             trust::read_passphrase(a->passphrase_file, "key generate"));
              DISTILL_ASSIGN(trust::KeyPairFiles f, trust::write_key_pair(a->prefix, pass));
              if (!g.quiet)
                std::printf("Private key written to %s\nPublic key written to %s\n",
                            f.private_key.c_str(), f.public_key.c_str());
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
