#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::core {

// nlohmann-json behind Result: parsing never throws, and a field of the wrong
// type is an error naming the field. Absent or null fields read as empty.
// Text that is not JSON is "<where>: is not valid JSON" (no where when empty,
// for callers that add theirs with Error::with_where).
Result<nlohmann::json> parse_json(std::string_view text, std::string_view where = {});
// As parse_json, but an object naming one key twice is an error ("<where>:
// has the key "k" twice"): nlohmann keeps the last value where another parser
// keeps the first, and a signed document must read the same to every reader.
Result<nlohmann::json> parse_json_unique_keys(std::string_view text, std::string_view where = {});
// Compact, keys sorted (nlohmann objects are std::maps); invalid UTF-8 is an error.
Result<std::string> dump_json(const nlohmann::json& j, std::string_view what);

Result<std::string> json_string(const nlohmann::json& obj, std::string_view key);
Result<std::vector<std::string>> json_string_list(const nlohmann::json& obj, std::string_view key);
Result<std::map<std::string, std::string>> json_string_map(const nlohmann::json& obj,
                                                           std::string_view key);
Result<bool> json_bool(const nlohmann::json& obj, std::string_view key);
Result<int64_t> json_int(const nlohmann::json& obj, std::string_view key);

}  // namespace distill::core
