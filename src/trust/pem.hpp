#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::trust {

// One PEM block (RFC 7468): its label and the DER bytes it carries.
struct PemBlock {
  std::string type;  // "PUBLIC KEY", "PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY", ...
  std::string der;
};

// Key files are a few hundred bytes: anything larger is not one.
inline constexpr size_t kMaxKeyFileSize = 64 * 1024;

// The first PEM block of `text`. Text before it is ignored, as Go's
// pem.Decode does; RFC 1421 headers ("Proc-Type: ...") are refused, since
// no format read here has any and OpenSSL's legacy encryption uses them.
core::Result<PemBlock> parse_pem(std::string_view text, std::string_view where);

// "-----BEGIN TYPE-----", base64 in lines of 64, "-----END TYPE-----\n".
std::string pem_encode(std::string_view type, std::string_view der);

}  // namespace distill::trust
