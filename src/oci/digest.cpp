#include "oci/digest.hpp"

#include "core/sha256.hpp"

namespace distill::oci {

core::Result<Digest> Digest::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return core::make_error("digest", "'" + std::string(text) + "' is not a digest",
                            "expected sha256:<64 hex digits>");
  std::string_view algo = text.substr(0, colon);
  if (algo != "sha256")
    return core::make_error("digest", "unsupported digest algorithm '" + std::string(algo) + "'",
                            "only sha256 is accepted");
  return from_hex(text.substr(colon + 1));
}

core::Result<Digest> Digest::from_hex(std::string_view hex) {
  if (!core::is_sha256_hex(hex))
    return core::make_error("digest", "'" + std::string(hex) + "' is not a SHA-256 hex digest",
                            "expected 64 lowercase hex digits");
  return Digest(std::string(hex));
}

Digest Digest::of(std::string_view data) {
  return Digest(core::sha256_hex(data));
}

}  // namespace distill::oci
