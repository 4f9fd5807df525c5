#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

// DSSE, the Dead Simple Signing Envelope (secure-systems-lab/dsse, v1.0):
// a payload and its type, signed over their pre-authentication encoding so
// a signature never verifies the same bytes read as another type. No
// cryptography here: keys live behind the Signer and Verifier interfaces.
namespace distill::core::dsse {

// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN the byte length
// in ASCII decimal without leading zeros: the bytes that are signed.
std::string pae(std::string_view payload_type, std::string_view payload);

struct Signature {
  std::string keyid;  // unauthenticated hint; "" leaves it out
  std::string sig;    // raw signature bytes (base64 in the JSON)

  friend bool operator==(const Signature&, const Signature&) = default;
};

struct Envelope {
  std::string payload_type;  // e.g. "application/vnd.in-toto+json"
  std::string payload;       // raw bytes (base64 in the JSON)
  std::vector<Signature> signatures;

  friend bool operator==(const Envelope&, const Envelope&) = default;
};

class Signer {
 public:
  virtual ~Signer() = default;
  virtual std::string keyid() const = 0;
  // Signs `message` (the PAE) and returns the raw signature.
  virtual Result<std::string> sign(std::string_view message) const = 0;
};

class Verifier {
 public:
  virtual ~Verifier() = default;
  // Whether `sig` over `message` verifies with the key `keyid` names (or,
  // for an empty keyid, with any trusted key). A bad signature is false,
  // an error is for what could not be checked at all.
  virtual Result<bool> verify(std::string_view keyid, std::string_view message,
                              std::string_view sig) const = 0;
};

// The envelope of `payload`, signed by each signer in turn over the PAE.
Result<Envelope> sign(std::string_view payload_type, std::string_view payload,
                      const std::vector<const Signer*>& signers);

// The keyids whose signature verifies, each once; an error naming the
// envelope when fewer than `threshold` (at least 1) distinct keys verify.
Result<std::vector<std::string>> verify(const Envelope& e, const Verifier& verifier,
                                        size_t threshold = 1);

// {"payload": base64, "payloadType": ..., "signatures": [{"keyid", "sig"}]}:
// compact, keys sorted, standard base64 with padding.
Result<std::string> envelope_json(const Envelope& e);

// Bounds on an envelope read from outside.
inline constexpr size_t kMaxEnvelopeBytes = 64u << 20;
inline constexpr size_t kMaxSignatures = 64;

// Parses an envelope; payload and sig accept standard or URL-safe base64,
// padded or not, as the DSSE spec asks of readers. Errors name `where`.
Result<Envelope> parse_envelope(std::string_view text, std::string_view where);

}  // namespace distill::core::dsse
