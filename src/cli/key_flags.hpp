#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/result.hpp"
#include "trust/key_file.hpp"

namespace distill::cli {

// --passphrase-file, with one help text for every command that reads or
// writes an encrypted key (the passphrase never comes from a flag value).
void add_passphrase_option(CLI::App& sub, std::string& passphrase_file);

// The private key of `sign` and `attest`: --key (required) and
// --passphrase-file.
struct SigningKeyFlags {
  std::string key;
  std::string passphrase_file;
};
void add_signing_key_options(CLI::App& sub, SigningKeyFlags& flags);
// `build --sign-key`: the same key, optional, under a name that says what
// it does to the pushed image.
void add_build_signing_key_options(CLI::App& sub, SigningKeyFlags& flags);
core::Result<trust::PrivateKey> load_signing_key(const SigningKeyFlags& flags);

}  // namespace distill::cli
