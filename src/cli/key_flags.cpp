#include "cli/key_flags.hpp"

#include "trust/passphrase.hpp"

namespace distill::cli {

void add_passphrase_option(CLI::App& sub, std::string& passphrase_file) {
  sub.add_option("--passphrase-file", passphrase_file,
                 "Read the key's passphrase from this file's first line (default $" +
                     std::string(trust::kPassphraseEnv) + ", then $" +
                     std::string(trust::kCosignPassphraseEnv) + ")");
}

void add_signing_key_options(CLI::App& sub, SigningKeyFlags& flags) {
  sub.add_option("--key", flags.key, "Private key: cosign's encrypted key file or a PKCS#8 PEM")
      ->required();
  add_passphrase_option(sub, flags.passphrase_file);
}

void add_build_signing_key_options(CLI::App& sub, SigningKeyFlags& flags) {
  sub.add_option("--sign-key", flags.key,
                 "Sign and attest each pushed image with this private key (cosign's encrypted "
                 "key file or a PKCS#8 PEM), as distill sign and distill attest do");
  add_passphrase_option(sub, flags.passphrase_file);
}

core::Result<trust::PrivateKey> load_signing_key(const SigningKeyFlags& flags) {
  return trust::load_private_key(flags.key, flags.passphrase_file);
}

}  // namespace distill::cli
