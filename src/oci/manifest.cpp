#include "oci/manifest.hpp"

#include <algorithm>
#include <cctype>

#include "core/json.hpp"
#include "oci/media_types.hpp"

namespace distill::oci {
namespace {

using nlohmann::json;

constexpr size_t kMaxListed = 10000;

// RFC 6838 restricted-name: a letter or digit, then up to 126 of these.
bool is_media_type_name(std::string_view s) {
  if (s.empty() || s.size() > 127 || !std::isalnum(static_cast<unsigned char>(s.front())))
    return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) ||
           std::string_view("!#$&-^_.+").find(ch) != std::string_view::npos;
  });
}

json descriptor_json(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.platform) {
    json p = {{"architecture", d.platform->architecture}, {"os", d.platform->os}};
    if (!d.platform->variant.empty()) p["variant"] = d.platform->variant;
    j["platform"] = std::move(p);
  }
  return j;
}

core::Result<Descriptor> parse_descriptor(const json& j) {
  if (!j.is_object()) return core::make_error("descriptor", "is not an object");
  Descriptor d;
  DISTILL_ASSIGN(d.media_type, core::json_string(j, "mediaType"));
  DISTILL_ASSIGN(std::string digest, core::json_string(j, "digest"));
  DISTILL_ASSIGN(d.digest, Digest::parse(digest));
  DISTILL_ASSIGN(d.size, core::json_int(j, "size"));
  DISTILL_TRY(check_descriptor(d));
  DISTILL_ASSIGN(d.annotations, core::json_string_map(j, "annotations"));
  if (auto it = j.find("platform"); it != j.end() && !it->is_null()) {
    Platform p;
    DISTILL_ASSIGN(p.architecture, core::json_string(*it, "architecture"));
    DISTILL_ASSIGN(p.os, core::json_string(*it, "os"));
    DISTILL_ASSIGN(p.variant, core::json_string(*it, "variant"));
    d.platform = std::move(p);
  }
  return d;
}

core::Result<std::vector<Descriptor>> parse_descriptors(const json& j, std::string_view key) {
  std::vector<Descriptor> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return core::make_error("field '" + std::string(key) + "'", "is not a list");
  if (it->size() > kMaxListed)
    return core::make_error("field '" + std::string(key) + "'", "lists too many entries");
  for (const auto& item : *it) {
    DISTILL_ASSIGN(Descriptor d, parse_descriptor(item));
    out.push_back(std::move(d));
  }
  return out;
}

core::Status check_schema(const json& j) {
  DISTILL_ASSIGN(int64_t version, core::json_int(j, "schemaVersion"));
  if (version != 2)
    return core::make_error("schemaVersion", "is " + std::to_string(version) + ", not 2");
  return core::Status::Ok();
}

}  // namespace

bool is_media_type(std::string_view t) {
  const size_t slash = t.find('/');
  return slash != std::string_view::npos && is_media_type_name(t.substr(0, slash)) &&
         is_media_type_name(t.substr(slash + 1));
}

core::Status check_descriptor(const Descriptor& d) {
  const std::string where = "descriptor " + d.digest.str();
  if (d.digest.empty()) return core::make_error(where, "has no digest");
  if (d.size < 0) return core::make_error(where, "has a negative size");
  if (d.size > kMaxBlobSize)
    return core::make_error(where, "has a size of " + std::to_string(d.size) + " bytes",
                            "no blob is larger than 1 TiB");
  if (!is_media_type(d.media_type))
    return core::make_error(where, "has an invalid media type '" + d.media_type + "'",
                            "expected type/subtype (RFC 6838)");
  return core::Status::Ok();
}

Descriptor describe(std::string_view media_type, std::string_view content) {
  Descriptor d;
  d.media_type = std::string(media_type);
  d.digest = Digest::of(content);
  d.size = static_cast<int64_t>(content.size());
  return d;
}

core::Result<std::string> manifest_json(const Manifest& m) {
  json layers = json::array();
  for (const auto& l : m.layers) layers.push_back(descriptor_json(l));
  json j = {{"schemaVersion", 2},
            {"mediaType", m.media_type.empty() ? std::string(kMediaTypeManifest) : m.media_type},
            {"config", descriptor_json(m.config)},
            {"layers", std::move(layers)}};
  if (!m.annotations.empty()) j["annotations"] = m.annotations;
  return core::dump_json(j, "manifest");
}

core::Result<std::string> index_json(const Index& i) {
  json manifests = json::array();
  for (const auto& d : i.manifests) manifests.push_back(descriptor_json(d));
  json j = {{"schemaVersion", 2},
            {"mediaType", i.media_type.empty() ? std::string(kMediaTypeIndex) : i.media_type},
            {"manifests", std::move(manifests)}};
  if (!i.annotations.empty()) j["annotations"] = i.annotations;
  return core::dump_json(j, "index");
}

core::Result<Manifest> parse_manifest(std::string_view text, std::string_view where) {
  auto parsed = [&]() -> core::Result<Manifest> {
    DISTILL_ASSIGN(json j, core::parse_json(text));
    if (!j.is_object()) return core::make_error("", "is not a JSON object");
    DISTILL_TRY(check_schema(j));
    Manifest m;
    DISTILL_ASSIGN(m.media_type, core::json_string(j, "mediaType"));
    if (!m.media_type.empty() && !is_manifest_media_type(m.media_type))
      return core::make_error("", "has media type '" + m.media_type + "', not a manifest");
    auto config = j.find("config");
    if (config == j.end()) return core::make_error("", "has no config descriptor");
    DISTILL_ASSIGN(m.config, parse_descriptor(*config));
    DISTILL_ASSIGN(m.layers, parse_descriptors(j, "layers"));
    DISTILL_ASSIGN(m.annotations, core::json_string_map(j, "annotations"));
    return m;
  }();
  if (!parsed.ok()) return parsed.error().with_where("manifest " + std::string(where));
  return parsed;
}

core::Result<Index> parse_index(std::string_view text, std::string_view where) {
  auto parsed = [&]() -> core::Result<Index> {
    DISTILL_ASSIGN(json j, core::parse_json(text));
    if (!j.is_object()) return core::make_error("", "is not a JSON object");
    DISTILL_TRY(check_schema(j));
    Index i;
    DISTILL_ASSIGN(i.media_type, core::json_string(j, "mediaType"));
    if (!i.media_type.empty() && !is_index_media_type(i.media_type))
      return core::make_error("", "has media type '" + i.media_type + "', not an index");
    DISTILL_ASSIGN(i.manifests, parse_descriptors(j, "manifests"));
    DISTILL_ASSIGN(i.annotations, core::json_string_map(j, "annotations"));
    return i;
  }();
  if (!parsed.ok()) return parsed.error().with_where("index " + std::string(where));
  return parsed;
}

}  // namespace distill::oci
