#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "oci/digest.hpp"

namespace distill::trust {

// The payload a sigstore image signature signs: "simple signing" JSON,
//   {"critical":{"identity":{"docker-reference":"HOST/REPO"},
//                "image":{"docker-manifest-digest":"sha256:..."},
//                "type":"cosign container image signature"},
//    "optional":null}
// stored as a layer of this media type in the `sha256-<hex>.sig` manifest.
inline constexpr std::string_view kSimpleSigningMediaType =
    "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr std::string_view kSignatureType = "cosign container image signature";
// The layer annotation holding base64(ASN.1 ECDSA signature over the payload).
inline constexpr std::string_view kSignatureAnnotation = "dev.cosignproject.cosign/signature";

// Payloads are a few hundred bytes; skopeo reads at most 4 MiB.
inline constexpr int64_t kMaxPayloadSize = 4 << 20;

struct SimpleSigningPayload {
  std::string docker_reference;  // what the signer named: "HOST/REPO", maybe with a tag
  oci::Digest manifest_digest;
  std::optional<std::string> creator;  // optional.creator (skopeo writes one)
  std::optional<int64_t> timestamp;    // optional.timestamp, seconds
};

// The payload distill signs: no timestamp, so it is reproducible; the
// signature over it is not (ECDSA is randomised).
core::Result<std::string> simple_signing_json(const SimpleSigningPayload& payload);

// Read as strictly as containers/image reads it: the critical object and
// its parts have exactly their fields, no key twice, the type is cosign's,
// optional is null or an object whose creator and timestamp, when present,
// are a string and an integer.
core::Result<SimpleSigningPayload> parse_simple_signing(std::string_view json,
                                                        std::string_view where);

}  // namespace distill::trust
