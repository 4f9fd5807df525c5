#include "vuln/feed_import.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "net/fetcher.hpp"
#include "vuln/database.hpp"
#include "vuln/feed_files.hpp"
#include "vuln/tracker_import.hpp"

namespace distill::vuln {
namespace {

int64_t feed_mtime(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_mtime) : 0;
}

}  // namespace

core::Result<std::string> import_feeds(const std::vector<std::string>& files,
                                       const std::string& db_path, core::Clock& clock) {
  std::vector<Advisory> all;
  DatabaseInfo info;
  for (const auto& f : files) {
    DISTILL_ASSIGN(auto advisories, read_feed(f));
    all.insert(all.end(), std::make_move_iterator(advisories.begin()),
               std::make_move_iterator(advisories.end()));
    info.sources.push_back(f);
    // The data is as old as its newest file.
    info.data_date = std::max(info.data_date, feed_mtime(f));
  }
  info.imported_at = clock.now();
  DISTILL_TRY(Database::write(db_path, std::move(all), info));
  return database_summary(db_path);
}

core::Result<std::string> update_database(const UpdateRequest& request, const std::string& db_path,
                                          net::HttpTransport& transport, core::Clock& clock) {
  std::string url = request.url;
  if (url.empty())
    if (const char* env = std::getenv(kVulnDbUrlEnv)) url = env;
  if (url.empty())
    return core::make_error("db update", "no URL to download from",
                            fmt::format("pass --url with the Security Tracker's JSON export, or "
                                        "set {}",
                                        kVulnDbUrlEnv));
  if (request.offline)
    return core::make_error("db update", "cannot download with --offline",
                            "import a downloaded file with 'distill db import FILE'");
  net::Fetcher fetcher(transport, clock);
  DISTILL_ASSIGN(std::string body, fetcher.get(url));
  DISTILL_ASSIGN(auto advisories, parse_tracker_json(body, url));
  DatabaseInfo info;
  info.sources = {url};
  info.data_date = info.imported_at = clock.now();
  DISTILL_TRY(Database::write(db_path, std::move(advisories), info));
  return database_summary(db_path);
}

std::string database_summary(const std::string& db_path) {
  auto db = Database::open(db_path);
  if (!db.ok()) return {};
  const DatabaseInfo& i = (*db)->info();
  return fmt::format("{}: {} advisories, {} issues, {} source packages\n", db_path, i.advisories,
                     i.issues, i.packages);
}

}  // namespace distill::vuln
