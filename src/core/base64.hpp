#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace distill::core {

// Standard base64 with padding (RFC 4648 section 4), as docker's config.json
// "auth" entries, HTTP Basic credentials and DSSE envelopes use it.
std::string base64_encode(std::string_view data);
// nullopt on characters outside the alphabet or a bad length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace distill::core
