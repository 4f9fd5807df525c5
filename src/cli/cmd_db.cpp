#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands_list.hpp"
#include "core/clock.hpp"
#include "net/http.hpp"
#include "vuln/database.hpp"
#include "vuln/database_status.hpp"
#include "vuln/feed_import.hpp"

namespace distill::cli {
namespace {

struct DbArgs {
  std::string db;
  std::vector<std::string> files;  // import
  vuln::UpdateRequest update;      // update
  bool as_json = false;            // status
};

core::Status print_status(const std::string& path, bool as_json, int64_t now) {
  DISTILL_ASSIGN(auto db, vuln::Database::open(path));
  std::string out = as_json ? vuln::database_status_json(*db, now).dump(2) + "\n"
                            : vuln::database_status_text(*db, now);
  std::fputs(out.c_str(), stdout);
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
        upd->add_option(
            "--url", a->update.url,
            fmt::format("URL of the tracker's JSON export (default ${})", vuln::kVulnDbUrlEnv));
        CLI::App* st = sub.add_subcommand("status", "Show the database's source, date and size");
        st->add_flag("--json", a->as_json, "Print one JSON document for scripts");
        for (CLI::App* s : {imp, upd, st}) {
          s->fallthrough();
          s->add_option("--db", a->db, "Database file");
        }
        return [&g, a, imp, upd]() -> core::Status {
          std::string path = vuln::database_path(a->db, g.cache_dir);
          core::Clock& clock = core::system_clock();
          if (!imp->parsed() && !upd->parsed()) return print_status(path, a->as_json, clock.now());
          std::string summary;
          if (imp->parsed()) {
            DISTILL_ASSIGN(summary, vuln::import_feeds(a->files, path, clock));
          } else {
            a->update.offline = g.offline;
            net::CurlTransport transport;
            DISTILL_ASSIGN(summary, vuln::update_database(a->update, path, transport, clock));
          }
          std::fputs(summary.c_str(), stdout);
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
