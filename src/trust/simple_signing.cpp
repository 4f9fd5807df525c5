#include "trust/simple_signing.hpp"

#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "core/json.hpp"
#include "core/strings.hpp"

namespace distill::trust {
namespace {

// The object `j` has exactly `fields`.
bool has_exactly(const nlohmann::json& j, std::initializer_list<std::string_view> fields) {
  if (!j.is_object() || j.size() != fields.size()) return false;
  for (std::string_view f : fields)
    if (!j.contains(f)) return false;
  return true;
}

core::Result<std::string> exact_string(const nlohmann::json& obj, std::string_view object_name,
                                       std::string_view field, std::string_view where) {
  if (!has_exactly(obj, {field}) || !obj.at(std::string(field)).is_string())
    return core::make_error(std::string(where), std::string(object_name) +
                                                    " is not an object of exactly the string '" +
                                                    std::string(field) + "'");
  return obj.at(std::string(field)).get<std::string>();
}

core::Status read_optional(const nlohmann::json& opt, SimpleSigningPayload& p,
                           std::string_view where) {
  if (opt.is_null()) return core::Status::Ok();
  if (!opt.is_object())
    return core::make_error(std::string(where), "'optional' is neither null nor an object");
  if (auto it = opt.find("creator"); it != opt.end()) {
    if (!it->is_string())
      return core::make_error(std::string(where), "optional.creator is not a string");
    p.creator = it->get<std::string>();
  }
  if (auto it = opt.find("timestamp"); it != opt.end()) {
    if (it->is_number_integer()) {
      p.timestamp = it->get<int64_t>();
    } else {
      double d = it->is_number() ? it->get<double>() : NAN;
      if (!std::isfinite(d) || d != std::trunc(d) || std::fabs(d) > 9.0e15)
        return core::make_error(std::string(where), "optional.timestamp is not an integer");
      p.timestamp = static_cast<int64_t>(d);
    }
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<std::string> simple_signing_json(const SimpleSigningPayload& p) {
  if (p.docker_reference.empty() || p.manifest_digest.empty())
    return core::make_error("signature payload", "needs a reference and a digest");
  nlohmann::json j;
  j["critical"]["identity"]["docker-reference"] = p.docker_reference;
  j["critical"]["image"]["docker-manifest-digest"] = p.manifest_digest.str();
  j["critical"]["type"] = kSignatureType;
  j["optional"] = nullptr;
  if (p.creator) j["optional"]["creator"] = *p.creator;
  if (p.timestamp) j["optional"]["timestamp"] = *p.timestamp;
  return core::dump_json(j, "signature payload");
}

core::Result<SimpleSigningPayload> parse_simple_signing(std::string_view json,
                                                        std::string_view where) {
  const std::string w(where);
  if (std::ssize(json) > kMaxPayloadSize)
    return core::make_error(w, "is larger than a signature payload can be");
  DISTILL_ASSIGN(nlohmann::json j, core::parse_json_unique_keys(json, where));
  if (!has_exactly(j, {"critical", "optional"}))
    return core::make_error(w,
                            "is not a simple-signing payload (exactly 'critical' and "
                            "'optional' expected)");
  const nlohmann::json& critical = j.at("critical");
  if (!has_exactly(critical, {"type", "image", "identity"}))
    return core::make_error(w, "'critical' is not exactly 'type', 'image' and 'identity'");
  if (!critical.at("type").is_string() || critical.at("type").get<std::string>() != kSignatureType)
    return core::make_error(w, "is not a cosign container image signature (critical.type)");
  SimpleSigningPayload p;
  DISTILL_ASSIGN(std::string digest, exact_string(critical.at("image"), "critical.image",
                                                  "docker-manifest-digest", where));
  auto parsed = oci::Digest::parse(digest);
  if (!parsed.ok())
    return core::make_error(w, "critical.image.docker-manifest-digest '" +
                                   core::escape_control(digest) + "' is not a sha256 digest");
  p.manifest_digest = std::move(parsed).value();
  DISTILL_ASSIGN(p.docker_reference, exact_string(critical.at("identity"), "critical.identity",
                                                  "docker-reference", where));
  DISTILL_TRY(read_optional(j.at("optional"), p, where));
  return p;
}

}  // namespace distill::trust
