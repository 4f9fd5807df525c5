#include "oci/json_util.hpp"

namespace distill::oci {
namespace {

using nlohmann::json;

core::Error field_error(std::string_view key, std::string_view expected) {
  return core::make_error("field '" + std::string(key) + "'", "is not " + std::string(expected));
}

const json* field(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

core::Result<json> parse_json(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return core::make_error("", "is not valid JSON");
  return j;
}

core::Result<std::string> dump_json(const json& j, std::string_view what) {
  try {
    return j.dump(-1, ' ', false, json::error_handler_t::strict);
  } catch (const json::exception& e) {
    return core::make_error(std::string(what), std::string("cannot serialise: ") + e.what(),
                            "strings must be valid UTF-8");
  }
}

core::Result<std::string> json_string(const json& obj, std::string_view key) {
  const json* v = field(obj, key);
  if (!v) return std::string();
  if (!v->is_string()) return field_error(key, "a string");
  return v->get<std::string>();
}

core::Result<std::vector<std::string>> json_string_list(const json& obj, std::string_view key) {
  std::vector<std::string> out;
  const json* v = field(obj, key);
  if (!v) return out;
  if (!v->is_array()) return field_error(key, "a list of strings");
  for (const auto& item : *v) {
    if (!item.is_string()) return field_error(key, "a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

core::Result<std::map<std::string, std::string>> json_string_map(const json& obj,
                                                                 std::string_view key) {
  std::map<std::string, std::string> out;
  const json* v = field(obj, key);
  if (!v) return out;
  if (!v->is_object()) return field_error(key, "an object of strings");
  for (const auto& [k, item] : v->items()) {
    if (!item.is_string()) return field_error(key, "an object of strings");
    out.emplace(k, item.get<std::string>());
  }
  return out;
}

core::Result<bool> json_bool(const json& obj, std::string_view key) {
  const json* v = field(obj, key);
  if (!v) return false;
  if (!v->is_boolean()) return field_error(key, "true or false");
  return v->get<bool>();
}

core::Result<int64_t> json_int(const json& obj, std::string_view key) {
  const json* v = field(obj, key);
  if (!v) return int64_t{0};
  if (!v->is_number_integer()) return field_error(key, "an integer");
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    return field_error(key, "an integer in range");
  return v->get<int64_t>();
}

}  // namespace distill::oci
