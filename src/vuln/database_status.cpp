#include "vuln/database_status.hpp"

#include <fmt/format.h>

#include "core/time.hpp"
#include "oci/image_config.hpp"

namespace distill::vuln {

nlohmann::ordered_json database_status_json(const Database& db, int64_t now) {
  const DatabaseInfo& i = db.info();
  int64_t age = database_age_days(i, now);
  return {{"path", db.path()},
          {"sources", i.sources},
          {"data_date", core::format_rfc3339(i.data_date)},
          {"imported_at", core::format_rfc3339(i.imported_at)},
          {"age_days", age},
          {"stale", age > kStaleAfterDays},
          {"advisories", i.advisories},
          {"issues", i.issues},
          {"source_packages", i.packages},
          {"releases", i.per_release}};
}

std::string database_status_text(const Database& db, int64_t now) {
  const DatabaseInfo& i = db.info();
  int64_t age = database_age_days(i, now);
  std::string out = fmt::format("{:<14}{}\n", "Database:", db.path());
  for (size_t k = 0; k < i.sources.size(); ++k)
    out += fmt::format("{:<14}{}\n", k == 0 ? "Source:" : "", i.sources[k]);
  out += fmt::format("{:<14}{} ({} days old{})\n", "Data date:", core::format_rfc3339(i.data_date),
                     age, age > kStaleAfterDays ? ", stale: run 'distill db update'" : "");
  out += fmt::format("{:<14}{}\n", "Imported:", core::format_rfc3339(i.imported_at));
  out += fmt::format("{:<14}{}\n", "Advisories:", i.advisories);
  out += fmt::format("{:<14}{}\n", "Issues:", i.issues);
  out += fmt::format("{:<14}{}\n", "Packages:", i.packages);
  for (const auto& [release, n] : i.per_release) out += fmt::format("  {:<12}{}\n", release, n);
  return out;
}

}  // namespace distill::vuln
