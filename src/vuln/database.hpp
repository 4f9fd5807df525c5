#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "vuln/advisory.hpp"

struct sqlite3;

namespace distill::vuln {

// What `distill db status` shows.
struct DatabaseInfo {
  std::vector<std::string> sources;  // the files or URL imported, as given
  int64_t data_date = 0;    // when the data was published (file mtime, download time), Unix seconds
  int64_t imported_at = 0;  // when it was imported, Unix seconds
  int64_t advisories = 0;   // rows: (issue, source package, release) triples
  int64_t issues = 0;       // distinct issue ids
  int64_t packages = 0;     // distinct source packages
  std::map<std::string, int64_t> per_release;  // advisories by codename, or language ecosystem
};

// The local vulnerability database: one SQLite file, by default
// <cache>/vulndb.sqlite. Advisories are indexed by (release, ecosystem,
// package): a Debian release and source package, or a language ecosystem
// (release empty) and package, the only questions a scan asks.
class Database : public AdvisoryLookup {
 public:
  // Builds a new database from `advisories` into a temporary file beside
  // `path` and renames it into place: readers see the old database or the
  // new one, never a half-written one. Exact duplicates are dropped.
  static core::Status write(const std::string& path, std::vector<Advisory> advisories,
                            const DatabaseInfo& info);

  // Opens read-only. A missing file is an error that says how to create one.
  static core::Result<std::unique_ptr<Database>> open(const std::string& path);
  ~Database() override;

  const DatabaseInfo& info() const { return info_; }
  const std::string& path() const { return path_; }

  core::Result<std::vector<Advisory>> find(std::string_view release,
                                           std::string_view source_package) const override;
  core::Result<std::vector<Advisory>> find_language(std::string_view ecosystem,
                                                    std::string_view package) const override;

 private:
  Database(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  core::Status load_info();
  core::Result<std::vector<Advisory>> query(std::string_view release, std::string_view ecosystem,
                                            std::string_view package) const;

  std::string path_;
  sqlite3* db_ = nullptr;
  DatabaseInfo info_;
};

// --db when given, else <cache root>/vulndb.sqlite, the cache root being
// --cache-dir or cache::Cache::default_root().
std::string database_path(const std::string& db_option, const std::string& cache_dir);

// Days, rounded down, between the data's date and `now`.
int64_t database_age_days(const DatabaseInfo& info, int64_t now);
inline constexpr int64_t kStaleAfterDays = 7;

}  // namespace distill::vuln
