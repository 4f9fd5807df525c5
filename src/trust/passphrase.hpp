#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::trust {

// Where a key's passphrase comes from: never a flag's value, which other
// users see in `ps` and shells keep in their history.
inline constexpr std::string_view kPassphraseEnv = "DISTILL_KEY_PASSWORD";
inline constexpr std::string_view kCosignPassphraseEnv = "COSIGN_PASSWORD";

// The first line of `file` without its '\n' when one is named (as skopeo's
// --sign-passphrase-file and gpg read it), else $DISTILL_KEY_PASSWORD, else
// $COSIGN_PASSWORD (so a cosign setup works unchanged). None of them: an
// error naming all three. `purpose` says what the passphrase is for.
core::Result<std::string> read_passphrase(const std::string& file, std::string_view purpose);

}  // namespace distill::trust
