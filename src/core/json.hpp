#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::oci {

// nlohmann-json behind Result: parsing never throws, and a field of the wrong
// type is an error naming the field. Absent or null fields read as empty.
core::Result<nlohmann::json> parse_json(std::string_view text);
// Compact, keys sorted (nlohmann objects are std::maps); invalid UTF-8 is an error.
core::Result<std::string> dump_json(const nlohmann::json& j, std::string_view what);

core::Result<std::string> json_string(const nlohmann::json& obj, std::string_view key);
core::Result<std::vector<std::string>> json_string_list(const nlohmann::json& obj,
                                                        std::string_view key);
core::Result<std::map<std::string, std::string>> json_string_map(const nlohmann::json& obj,
                                                                 std::string_view key);
core::Result<bool> json_bool(const nlohmann::json& obj, std::string_view key);
core::Result<int64_t> json_int(const nlohmann::json& obj, std::string_view key);

}  // namespace distill::oci
