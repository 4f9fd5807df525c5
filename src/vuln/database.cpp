#include "vuln/database.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "cache/cache.hpp"
#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "core/json.hpp"

namespace distill::vuln {
namespace {

// Bumped whenever the schema changes; an older file is refused with a hint
// to re-import rather than misread.
constexpr std::string_view kFormat = "distill-vulndb-3";

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE descriptions(id TEXT PRIMARY KEY, description TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE advisories(
  release TEXT NOT NULL, package TEXT NOT NULL, id TEXT NOT NULL, origin TEXT NOT NULL,
  status TEXT NOT NULL, fixed_version TEXT NOT NULL, urgency TEXT NOT NULL,
  nodsa_reason TEXT NOT NULL, ecosystem TEXT NOT NULL, affected TEXT NOT NULL);
)sql";
// Built after the rows are in: one sort instead of a B-tree insert per row.
constexpr const char* kIndex =
    "CREATE INDEX advisories_by_package ON advisories(release, ecosystem, package);";

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

struct DbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbDeleter>;

core::Error sql_error(sqlite3* db, const std::string& where) {
  return core::make_error(where, std::string("SQLite: ") + sqlite3_errmsg(db));
}

core::Result<Stmt> prepare(sqlite3* db, const char* sql, const std::string& where) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) return sql_error(db, where);
  return Stmt(s);
}

core::Status exec(sqlite3* db, const char* sql, const std::string& where) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return sql_error(db, where);
  return core::Status::Ok();
}

void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string column(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t),
                         static_cast<size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}

core::Status step_done(sqlite3* db, sqlite3_stmt* s, const std::string& where) {
  if (sqlite3_step(s) != SQLITE_DONE) return sql_error(db, where);
  sqlite3_reset(s);
  return core::Status::Ok();
}

auto row_key(const Advisory& a) {
  return std::tie(a.release, a.ecosystem, a.source_package, a.id, a.origin, a.status,
                  a.fixed_version, a.urgency, a.nodsa_reason, a.affected);
}

core::Status insert_meta(sqlite3* db, const DatabaseInfo& info, const std::string& where) {
  DISTILL_ASSIGN(Stmt s, prepare(db, "INSERT INTO meta VALUES(?, ?)", where));
  const std::pair<std::string, std::string> rows[] = {
      {"format", std::string(kFormat)},
      {"sources", nlohmann::json(info.sources).dump()},
      {"data_date", std::to_string(info.data_date)},
      {"imported_at", std::to_string(info.imported_at)},
      {"advisories", std::to_string(info.advisories)},
      {"issues", std::to_string(info.issues)},
      {"packages", std::to_string(info.packages)},
      {"per_release", nlohmann::json(info.per_release).dump()},
  };
  for (const auto& [k, v] : rows) {
    bind_text(s.get(), 1, k);
    bind_text(s.get(), 2, v);
    DISTILL_TRY(step_done(db, s.get(), where));
  }
  return core::Status::Ok();
}

core::Status insert_rows(sqlite3* db, const std::vector<Advisory>& advisories,
                         const std::string& where) {
  DISTILL_ASSIGN(Stmt row,
                 prepare(db, "INSERT INTO advisories VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", where));
  // One description per issue, inserted in key order: B-tree appends only.
  std::map<std::string_view, std::string_view> descriptions;
  for (const Advisory& a : advisories) {
    int i = 0;
    for (std::string_view v :
         {std::string_view(a.release), std::string_view(a.source_package), std::string_view(a.id),
          std::string_view(a.origin), std::string_view(a.status), std::string_view(a.fixed_version),
          std::string_view(a.urgency), std::string_view(a.nodsa_reason),
          std::string_view(a.ecosystem), std::string_view(a.affected)})
      bind_text(row.get(), ++i, v);
    DISTILL_TRY(step_done(db, row.get(), where));
    if (!a.description.empty()) descriptions.emplace(a.id, a.description);
  }
  DISTILL_ASSIGN(Stmt desc, prepare(db, "INSERT INTO descriptions VALUES(?, ?)", where));
  for (const auto& [id, text] : descriptions) {
    bind_text(desc.get(), 1, id);
    bind_text(desc.get(), 2, text);
    DISTILL_TRY(step_done(db, desc.get(), where));
  }
  return core::Status::Ok();
}

// The numbers `db status` shows, computed once here rather than by scanning
// the table on every open.
DatabaseInfo with_counts(DatabaseInfo info, const std::vector<Advisory>& advisories) {
  std::set<std::string_view> ids, packages;
  info.per_release.clear();
  for (const Advisory& a : advisories) {
    ids.insert(a.id);
    packages.insert(a.source_package);
    // Language rows count under their ecosystem ("PyPI", "npm", ...).
    ++info.per_release[a.ecosystem.empty() ? a.release : a.ecosystem];
  }
  info.advisories = static_cast<int64_t>(advisories.size());
  info.issues = static_cast<int64_t>(ids.size());
  info.packages = static_cast<int64_t>(packages.size());
  return info;
}

}  // namespace

core::Status Database::write(const std::string& path, std::vector<Advisory> advisories,
                             const DatabaseInfo& info) {
  std::sort(advisories.begin(), advisories.end(),
            [](const Advisory& a, const Advisory& b) { return row_key(a) < row_key(b); });
  advisories.erase(
      std::unique(advisories.begin(), advisories.end(),
                  [](const Advisory& a, const Advisory& b) { return row_key(a) == row_key(b); }),
      advisories.end());
  std::string parent = std::filesystem::path(path).parent_path().string();
  if (!parent.empty()) DISTILL_TRY(core::make_dirs(parent));
  DISTILL_ASSIGN(core::AtomicFile file, core::AtomicFile::create(path));
  {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(file.temp_path().c_str(), &raw,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    DbHandle db(raw);
    if (rc != SQLITE_OK) return sql_error(raw, path);
    // The temporary file is discarded on any failure, so SQLite's own crash
    // safety would only cost time; the rename is what makes it durable.
    DISTILL_TRY(exec(db.get(),
                     "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                     "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
                     path));
    DISTILL_TRY(exec(db.get(), "BEGIN", path));
    DISTILL_TRY(exec(db.get(), kSchema, path));
    DISTILL_TRY(insert_meta(db.get(), with_counts(info, advisories), path));
    DISTILL_TRY(insert_rows(db.get(), advisories, path));
    DISTILL_TRY(exec(db.get(), kIndex, path));
    DISTILL_TRY(exec(db.get(), "COMMIT", path));
    if (sqlite3_close(db.release()) != SQLITE_OK)
      return core::make_error(path, "SQLite could not close the new database");
  }
  return file.commit();
}

core::Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  if (!core::path_exists(path))
    return core::make_error(path, "no vulnerability database",
                            "create one with 'distill db import FILE' or 'distill db update'");
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    core::Error e = sql_error(raw, path);
    sqlite3_close(raw);
    return e;
  }
  std::unique_ptr<Database> db(new Database(path, raw));
  DISTILL_TRY(db->load_info());
  return db;
}

Database::~Database() {
  sqlite3_close(db_);
}

core::Status Database::load_info() {
  const std::string& where = path_;
  std::map<std::string, std::string> meta;
  {
    auto s = prepare(db_, "SELECT key, value FROM meta", where);
    if (!s.ok())
      return core::make_error(where, "is not a distill vulnerability database",
                              "re-create it with 'distill db import' or 'distill db update'");
    while (sqlite3_step(s->get()) == SQLITE_ROW) meta[column(s->get(), 0)] = column(s->get(), 1);
  }
  if (meta["format"] != kFormat)
    return core::make_error(where,
                            "has format \"" + meta["format"] + "\", not " + std::string(kFormat),
                            "re-create it with 'distill db import' or 'distill db update'");
  auto sources = core::parse_json(meta["sources"]);
  if (sources.ok() && sources->is_array())
    for (const auto& s : *sources)
      if (s.is_string()) info_.sources.push_back(s.get<std::string>());
  auto number = [&meta](const char* key) { return std::strtoll(meta[key].c_str(), nullptr, 10); };
  info_.data_date = number("data_date");
  info_.imported_at = number("imported_at");
  info_.advisories = number("advisories");
  info_.issues = number("issues");
  info_.packages = number("packages");
  auto per_release = core::parse_json(meta["per_release"]);
  if (per_release.ok() && per_release->is_object())
    for (const auto& [release, n] : per_release->items())
      if (n.is_number_integer()) info_.per_release[release] = n.get<int64_t>();
  return core::Status::Ok();
}

core::Result<std::vector<Advisory>> Database::query(std::string_view release,
                                                    std::string_view ecosystem,
                                                    std::string_view package) const {
  DISTILL_ASSIGN(Stmt s, prepare(db_,
                                 "SELECT a.id, a.origin, a.status, a.fixed_version, a.urgency, "
                                 "a.nodsa_reason, coalesce(d.description, ''), a.affected "
                                 "FROM advisories a LEFT JOIN descriptions d ON d.id = a.id "
                                 "WHERE a.release = ? AND a.ecosystem = ? AND a.package = ? "
                                 "ORDER BY a.id, a.origin, a.affected",
                                 path_));
  bind_text(s.get(), 1, release);
  bind_text(s.get(), 2, ecosystem);
  bind_text(s.get(), 3, package);
  std::vector<Advisory> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    Advisory a;
    a.id = column(s.get(), 0);
    a.source_package = std::string(package);
    a.release = std::string(release);
    a.ecosystem = std::string(ecosystem);
    a.origin = column(s.get(), 1);
    a.status = column(s.get(), 2);
    a.fixed_version = column(s.get(), 3);
    a.urgency = column(s.get(), 4);
    a.nodsa_reason = column(s.get(), 5);
    a.description = column(s.get(), 6);
    a.affected = column(s.get(), 7);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return sql_error(db_, path_);
  return out;
}

core::Result<std::vector<Advisory>> Database::find(std::string_view release,
                                                   std::string_view source_package) const {
  return query(release, "", source_package);
}

core::Result<std::vector<Advisory>> Database::find_language(std::string_view ecosystem,
                                                            std::string_view package) const {
  return query("", ecosystem, package);
}

std::string database_path(const std::string& db_option, const std::string& cache_dir) {
  if (!db_option.empty()) return db_option;
  return (cache_dir.empty() ? cache::Cache::default_root() : cache_dir) + "/vulndb.sqlite";
}

int64_t database_age_days(const DatabaseInfo& info, int64_t now) {
  return now > info.data_date ? (now - info.data_date) / 86400 : 0;
}

}  // namespace distill::vuln
