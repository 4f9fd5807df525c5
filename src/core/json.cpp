#include "core/json.hpp"

#include <optional>
#include <set>

#include "core/strings.hpp"

namespace distill::core {
namespace {

using nlohmann::json;

Error json_field_error(std::string_view key, std::string_view expected) {
  return make_error("field '" + std::string(key) + "'", "is not " + std::string(expected));
}

const json* json_field(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

Result<json> parse_json(std::string_view text, std::string_view where) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(std::string(where), "is not valid JSON");
  return j;
}

Result<json> parse_json_unique_keys(std::string_view text, std::string_view where) {
  std::vector<std::set<std::string>> open_objects;
  std::optional<std::string> duplicate;
  json::parser_callback_t check = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == json::parse_event_t::key && !open_objects.empty() && !duplicate) {
      auto key = parsed.get<std::string>();
      if (!open_objects.back().insert(key).second) duplicate = std::move(key);
    }
    return true;
  };
  json j = json::parse(text.begin(), text.end(), check, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(std::string(where), "is not valid JSON");
  if (duplicate)
    return make_error(std::string(where),
                      "has the key \"" + escape_control(*duplicate) + "\" twice");
  return j;
}

Result<std::string> dump_json(const json& j, std::string_view what) {
  try {
    return j.dump(-1, ' ', false, json::error_handler_t::strict);
  } catch (const json::exception& e) {
    return make_error(std::string(what), std::string("cannot serialise: ") + e.what(),
                      "strings must be valid UTF-8");
  }
}

Result<std::string> json_string(const json& obj, std::string_view key) {
  const json* v = json_field(obj, key);
  if (!v) return std::string();
  if (!v->is_string()) return json_field_error(key, "a string");
  return v->get<std::string>();
}

Result<std::vector<std::string>> json_string_list(const json& obj, std::string_view key) {
  std::vector<std::string> out;
  const json* v = json_field(obj, key);
  if (!v) return out;
  if (!v->is_array()) return json_field_error(key, "a list of strings");
  for (const auto& item : *v) {
    if (!item.is_string()) return json_field_error(key, "a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> json_string_map(const json& obj, std::string_view key) {
  std::map<std::string, std::string> out;
  const json* v = json_field(obj, key);
  if (!v) return out;
  if (!v->is_object()) return json_field_error(key, "an object of strings");
  for (const auto& [k, item] : v->items()) {
    if (!item.is_string()) return json_field_error(key, "an object of strings");
    out.emplace(k, item.get<std::string>());
  }
  return out;
}

Result<bool> json_bool(const json& obj, std::string_view key) {
  const json* v = json_field(obj, key);
  if (!v) return false;
  if (!v->is_boolean()) return json_field_error(key, "true or false");
  return v->get<bool>();
}

Result<int64_t> json_int(const json& obj, std::string_view key) {
  const json* v = json_field(obj, key);
  if (!v) return int64_t{0};
  if (!v->is_number_integer()) return json_field_error(key, "an integer");
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    return json_field_error(key, "an integer in range");
  return v->get<int64_t>();
}

}  // namespace distill::core
