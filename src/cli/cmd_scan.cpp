#include <fmt/format.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "core/clock.hpp"
#include "core/file_util.hpp"
#include "sbom/inventory.hpp"
#include "sbom/inventory_cache.hpp"
#include "vuln/database.hpp"
#include "vuln/ignore_list.hpp"
#include "vuln/matcher.hpp"
#include "vuln/release.hpp"
#include "vuln/sarif.hpp"
#include "vuln/scan_report.hpp"

namespace distill::cli {
namespace {

struct ScanArgs {
  std::string image;
  std::string platform;
  std::string db;
  std::string format = "table";
  std::string fail_on;
  bool ignore_unfixed = false;
  std::string ignore_file;
  bool no_cache = false;
  transport::Options transport;  // --insecure, --ca-cert
};

core::Result<vuln::ScanReport> scan(const ScanArgs& a, const GlobalOptions& g, core::Clock& clock) {
  vuln::ScanReport r;
  if (!a.fail_on.empty()) {
    r.fail_on = vuln::parse_severity(a.fail_on);
    if (!r.fail_on)
      return core::make_error("--fail-on", fmt::format("unknown severity '{}'", a.fail_on),
                              "critical, high, medium, low, negligible or unknown");
  }
  if (a.format != "table" && a.format != "json" && a.format != "sarif")
    return core::make_error("--format", fmt::format("unknown format '{}'", a.format),
                            "table, json or sarif");
  std::map<std::string, std::string> ignore;
  if (!a.ignore_file.empty()) {
    DISTILL_ASSIGN(std::string text, core::read_file(a.ignore_file));
    DISTILL_ASSIGN(ignore, vuln::parse_ignore_list(text, a.ignore_file));
  }
  r.database_path = vuln::database_path(a.db, g.cache_dir);
  DISTILL_ASSIGN(auto db, vuln::Database::open(r.database_path));
  r.database = db->info();
  r.age_days = vuln::database_age_days(r.database, clock.now());
  std::optional<cache::Cache> cache;
  if (!a.no_cache) cache = sbom::open_inventory_cache(g.cache_dir);
  DISTILL_ASSIGN(
      sbom::ImageInventory inv,
      sbom::read_inventory(a.image, {a.platform, false, cache ? &*cache : nullptr, a.transport}));
  r.reference = inv.reference;
  r.name = inv.name;
  r.digest = inv.digest;
  r.platform = inv.platform;
  auto release = vuln::image_codename(inv.os);
  if (!release.ok()) return release.error().with_where(a.image);
  r.release = *release;
  DISTILL_ASSIGN(r.findings, vuln::match_packages(inv.packages, r.release, *db));
  vuln::filter_findings(r, a.ignore_unfixed, ignore);
  return r;
}

}  // namespace

Command scan_command() {
  return {
      "scan", "Match an image's Debian packages against the local vulnerability database",
      [](CLI::App& sub, GlobalOptions& g) -> Action {
        auto a = std::make_shared<ScanArgs>();
        sub.add_option(
               "image", a->image,
               "OCI layout folder (DIR, DIR:TAG, oci:DIR[:TAG]), docker-archive tar "
               "(FILE, docker-archive:FILE) or registry reference (HOST/REPO[:TAG][@DIGEST])")
            ->required();
        add_transport_options(sub, a->transport);
        sub.add_option("--platform", a->platform, "The platform to scan, e.g. linux/arm64");
        sub.add_option("--db", a->db,
                       "Database file (default $XDG_CACHE_HOME/distill/vulndb.sqlite)");
        sub.add_option("--format", a->format, "table, json or sarif")->capture_default_str();
        sub.add_option("--fail-on", a->fail_on,
                       "Exit 3 when a finding has this severity or higher "
                       "(critical, high, medium, low, negligible, unknown)");
        sub.add_flag("--ignore-unfixed", a->ignore_unfixed,
                     "Leave out findings without a fixed version");
        sub.add_option("--ignore", a->ignore_file,
                       "File of issue ids to accept, one per line with a reason each");
        sub.add_flag("--no-cache", a->no_cache,
                     "Read the image's layers even when its inventory is in the cache");
        return [&g, a]() -> core::Status {
          core::Clock& clock = core::system_clock();
          DISTILL_ASSIGN(vuln::ScanReport r, scan(*a, g, clock));
          if (r.stale())
            std::fprintf(stderr,
                         "distill: warning: %s: the vulnerability data is %lld days old "
                         "(run 'distill db update')\n",
                         r.database_path.c_str(), static_cast<long long>(r.age_days));
          std::string out;
          if (a->format == "json") {
            out =
                vuln::report_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                "\n";
          } else if (a->format == "sarif") {
            out = vuln::report_sarif(r, DISTILL_VERSION)
                      .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                  "\n";
          } else {
            out = vuln::report_table(r);
          }
          std::fwrite(out.data(), 1, out.size(), stdout);
          std::fflush(stdout);
          if (size_t n = r.failing(); n > 0)
            return core::make_error(r.reference,
                                    fmt::format("{} finding{} at or above severity {}", n,
                                                n == 1 ? "" : "s", vuln::severity_name(*r.fail_on)),
                                    "--fail-on")
                .with_code(core::ErrorCode::kPolicyFailed);
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
