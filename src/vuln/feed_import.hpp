#pragma once

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "net/http.hpp"

namespace distill::vuln {

// Where `db update` downloads from when no URL is given.
inline constexpr const char* kVulnDbUrlEnv = "DISTILL_VULNDB_URL";

// `distill db import`: replaces the database at `db_path` with the
// advisories of `files` (each read with read_feed). The data is dated by
// its newest file. Returns database_summary(db_path).
core::Result<std::string> import_feeds(const std::vector<std::string>& files,
                                       const std::string& db_path, core::Clock& clock);

struct UpdateRequest {
  std::string url;       // empty: $DISTILL_VULNDB_URL
  bool offline = false;  // --offline: refuse to download
};

// `distill db update`: downloads the Security Tracker's JSON export and
// replaces the database with it. Returns database_summary(db_path).
core::Result<std::string> update_database(const UpdateRequest& request, const std::string& db_path,
                                          net::HttpTransport& transport, core::Clock& clock);

// "<path>: N advisories, N issues, N source packages\n", or "" when the
// file does not open.
std::string database_summary(const std::string& db_path);

}  // namespace distill::vuln
