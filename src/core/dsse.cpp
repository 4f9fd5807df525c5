#include "core/dsse.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/base64.hpp"
#include "core/json.hpp"

namespace distill::core::dsse {
namespace {

// Standard or URL-safe, padded or not (DSSE readers accept all four).
std::optional<std::string> dsse_base64_decode(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (s.size() % 4 == 1) return std::nullopt;
  while (s.size() % 4 != 0) s += '=';
  return base64_decode(s);
}

Result<std::string> dsse_base64_field(const nlohmann::json& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string())
    return make_error("field '" + std::string(key) + "'", "is missing or not a string");
  auto decoded = dsse_base64_decode(it->get<std::string>());
  if (!decoded) return make_error("field '" + std::string(key) + "'", "is not base64");
  return *decoded;
}

}  // namespace

std::string pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 ";
  out += std::to_string(payload_type.size());
  out += ' ';
  out += payload_type;
  out += ' ';
  out += std::to_string(payload.size());
  out += ' ';
  out += payload;
  return out;
}

Result<Envelope> sign(std::string_view payload_type, std::string_view payload,
                      const std::vector<const Signer*>& signers) {
  if (signers.empty()) return make_error("DSSE envelope", "no signer");
  Envelope e{std::string(payload_type), std::string(payload), {}};
  std::string message = pae(payload_type, payload);
  for (const Signer* s : signers) {
    DISTILL_ASSIGN(std::string sig, s->sign(message));
    e.signatures.push_back({s->keyid(), std::move(sig)});
  }
  return e;
}

Result<std::vector<std::string>> verify(const Envelope& e, const Verifier& verifier,
                                        size_t threshold) {
  threshold = std::max<size_t>(threshold, 1);
  std::string message = pae(e.payload_type, e.payload);
  std::vector<std::string> accepted;
  for (const auto& s : e.signatures) {
    DISTILL_ASSIGN(bool ok, verifier.verify(s.keyid, message, s.sig));
    // A key counts once however many of its signatures the envelope holds.
    if (ok && std::find(accepted.begin(), accepted.end(), s.keyid) == accepted.end())
      accepted.push_back(s.keyid);
  }
  if (accepted.size() < threshold)
    return make_error("DSSE envelope", accepted.empty() ? "no signature verifies"
                                                        : std::to_string(accepted.size()) + " of " +
                                                              std::to_string(threshold) +
                                                              " required signatures verify")
        .with_code(ErrorCode::kIntegrity);
  return accepted;
}

Result<std::string> envelope_json(const Envelope& e) {
  nlohmann::json sigs = nlohmann::json::array();
  for (const auto& s : e.signatures) {
    nlohmann::json one = {{"sig", base64_encode(s.sig)}};
    if (!s.keyid.empty()) one["keyid"] = s.keyid;
    sigs.push_back(std::move(one));
  }
  nlohmann::json j = {{"payload", base64_encode(e.payload)},
                      {"payloadType", e.payload_type},
                      {"signatures", std::move(sigs)}};
  return dump_json(j, "DSSE envelope");
}

Result<Envelope> parse_envelope(std::string_view text, std::string_view where) {
  std::string at(where);
  if (text.size() > kMaxEnvelopeBytes)
    return make_error(at, "is larger than " + std::to_string(kMaxEnvelopeBytes) + " bytes");
  DISTILL_ASSIGN(nlohmann::json j, parse_json(text, at));
  if (!j.is_object()) return make_error(at, "is not a DSSE envelope (not an object)");
  Envelope e;
  auto in_envelope = [&](const Error& err) { return err.with_where(at); };
  auto type = j.find("payloadType");
  if (type == j.end() || !type->is_string() || type->get<std::string>().empty())
    return make_error(at, "has no \"payloadType\"");
  e.payload_type = type->get<std::string>();
  auto payload = dsse_base64_field(j, "payload");
  if (!payload.ok()) return in_envelope(payload.error());
  e.payload = std::move(*payload);
  auto sigs = j.find("signatures");
  if (sigs == j.end() || !sigs->is_array() || sigs->empty())
    return make_error(at, "has no \"signatures\"", "an unsigned envelope proves nothing");
  if (sigs->size() > kMaxSignatures)
    return make_error(at, "has more than " + std::to_string(kMaxSignatures) + " signatures");
  for (size_t i = 0; i < sigs->size(); ++i) {
    const auto& s = (*sigs)[i];
    std::string place = at + ": signature " + std::to_string(i);
    if (!s.is_object()) return make_error(place, "is not an object");
    auto keyid = json_string(s, "keyid");
    if (!keyid.ok()) return keyid.error().with_where(place);
    auto sig = dsse_base64_field(s, "sig");
    if (!sig.ok()) return sig.error().with_where(place);
    e.signatures.push_back({std::move(*keyid), std::move(*sig)});
  }
  return e;
}

}  // namespace distill::core::dsse
