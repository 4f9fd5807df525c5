#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "vuln/database.hpp"

namespace distill::vuln {

// What `distill db status` shows: the database's sources, dates, age
// (stale after kStaleAfterDays) and sizes, as of `now` (Unix seconds).
nlohmann::ordered_json database_status_json(const Database& db, int64_t now);
std::string database_status_text(const Database& db, int64_t now);

}  // namespace distill::vuln
