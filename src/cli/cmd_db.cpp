#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands_list.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "net/fetcher.hpp"
#include "net/http.hpp"
#include "oci/image_config.hpp"
#include "vuln/database.hpp"
#include "vuln/feed_files.hpp"
#include "vuln/tracker_import.hpp"

namespace distill::cli {
namespace {

// Where `db update` downloads from when --url is not given.
constexpr const char* kUrlEnv = "DISTILL_VULNDB_URL";

struct DbArgs {
  std::string db;
  std::vector<std::string> files;  // import
  std::string url;                 // update
  bool as_json = false;            // status
};

int64_t mtime_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_mtime) : 0;
}

void print_written(const std::string& path) {
  auto db = vuln::Database::open(path);
  if (!db.ok()) return;
  const vuln::DatabaseInfo& i = (*db)->info();
  std::printf("%s: %lld advisories, %lld issues, %lld source packages\n", path.c_str(),
              static_cast<long long>(i.advisories), static_cast<long long>(i.issues),
              static_cast<long long>(i.packages));
}

core::Status run_db_import(const DbArgs& a, const std::string& path, core::Clock& clock) {
  std::vector<vuln::Advisory> all;
  vuln::DatabaseInfo info;
  for (const auto& f : a.files) {
    DISTILL_ASSIGN(auto advisories, vuln::read_feed(f));
    all.insert(all.end(), std::make_move_iterator(advisories.begin()),
               std::make_move_iterator(advisories.end()));
    info.sources.push_back(f);
    // The data is as old as its newest file.
    info.data_date = std::max(info.data_date, mtime_of(f));
  }
  info.imported_at = clock.now();
  DISTILL_TRY(vuln::Database::write(path, std::move(all), info));
  print_written(path);
  return core::Status::Ok();
}

core::Status run_update(const DbArgs& a, const GlobalOptions& g, const std::string& path,
                        core::Clock& clock) {
  std::string url = a.url;
  if (url.empty())
    if (const char* env = std::getenv(kUrlEnv)) url = env;
  if (url.empty())
    return core::make_error("db update", "no URL to download from",
                            fmt::format("pass --url with the Security Tracker's JSON export, or "
                                        "set {}",
                                        kUrlEnv));
  if (g.offline)
    return core::make_error("db update", "cannot download with --offline",
                            "import a downloaded file with 'distill db import FILE'");
  net::CurlTransport transport;
  net::Fetcher fetcher(transport, clock);
  DISTILL_ASSIGN(std::string body, fetcher.get(url));
  DISTILL_ASSIGN(auto advisories, vuln::parse_tracker_json(body, url));
  vuln::DatabaseInfo info;
  info.sources = {url};
  info.data_date = info.imported_at = clock.now();
  DISTILL_TRY(vuln::Database::write(path, std::move(advisories), info));
  print_written(path);
  return core::Status::Ok();
}

nlohmann::ordered_json status_json(const vuln::Database& db, int64_t now) {
  const vuln::DatabaseInfo& i = db.info();
  int64_t age = vuln::database_age_days(i, now);
  return {{"path", db.path()},
          {"sources", i.sources},
          {"data_date", core::format_rfc3339(i.data_date)},
          {"imported_at", core::format_rfc3339(i.imported_at)},
          {"age_days", age},
          {"stale", age > vuln::kStaleAfterDays},
          {"advisories", i.advisories},
          {"issues", i.issues},
          {"source_packages", i.packages},
          {"releases", i.per_release}};
}

core::Status run_status(const DbArgs& a, const std::string& path, core::Clock& clock) {
  DISTILL_ASSIGN(auto db, vuln::Database::open(path));
  auto j = status_json(*db, clock.now());
  if (a.as_json) {
    std::printf("%s\n", j.dump(2).c_str());
    return core::Status::Ok();
  }
  const vuln::DatabaseInfo& i = db->info();
  std::printf("%-14s%s\n", "Database:", db->path().c_str());
  for (size_t k = 0; k < i.sources.size(); ++k)
    std::printf("%-14s%s\n", k == 0 ? "Source:" : "", i.sources[k].c_str());
  std::printf("%-14s%s (%lld days old%s)\n",
              "Data date:", core::format_rfc3339(i.data_date).c_str(),
              static_cast<long long>(j["age_days"].get<int64_t>()),
              j["stale"].get<bool>() ? ", stale: run 'distill db update'" : "");
  std::printf("%-14s%s\n", "Imported:", core::format_rfc3339(i.imported_at).c_str());
  std::printf("%-14s%lld\n", "Advisories:", static_cast<long long>(i.advisories));
  std::printf("%-14s%lld\n", "Issues:", static_cast<long long>(i.issues));
  std::printf("%-14s%lld\n", "Packages:", static_cast<long long>(i.packages));
  for (const auto& [release, n] : i.per_release)
    std::printf("  %-12s%lld\n", release.c_str(), static_cast<long long>(n));
  return core::Status::Ok();
}

}  // namespace

Command db_command() {
  return {
      "db", "Manage the local vulnerability database (import, update, status)",
      [](CLI::App& sub, GlobalOptions& g) -> Action {
        auto a = std::make_shared<DbArgs>();
        sub.require_subcommand(1);
        sub.add_option("--db", a->db,
                       "Database file (default $XDG_CACHE_HOME/distill/vulndb.sqlite)");
        CLI::App* imp = sub.add_subcommand(
            "import", "Replace the database with Security Tracker JSON and OSV files");
        imp->add_option("files", a->files,
                        "Tracker JSON export, OSV record (.json), folder or .zip of OSV records")
            ->required();
        CLI::App* upd = sub.add_subcommand("update", "Download the Security Tracker export");
        upd->add_option("--url", a->url,
                        fmt::format("URL of the tracker's JSON export (default ${})", kUrlEnv));
        CLI::App* st = sub.add_subcommand("status", "Show the database's source, date and size");
        st->add_flag("--json", a->as_json, "Print one JSON document for scripts");
        for (CLI::App* s : {imp, upd, st}) {
          s->fallthrough();
          s->add_option("--db", a->db, "Database file");
        }
        return [&g, a, imp, upd]() -> core::Status {
          std::string path = vuln::database_path(a->db, g.cache_dir);
          core::Clock& clock = core::system_clock();
          if (imp->parsed()) return run_db_import(*a, path, clock);
          if (upd->parsed()) return run_update(*a, g, path, clock);
          return run_status(*a, path, clock);
        };
      }};
}

}  // namespace distill::cli
