#include "vuln/scan.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "cache/cache.hpp"
#include "core/file_util.hpp"
#include "sbom/inventory.hpp"
#include "sbom/inventory_cache.hpp"
#include "vuln/database.hpp"
#include "vuln/ignore_list.hpp"
#include "vuln/openvex.hpp"
#include "vuln/release.hpp"
#include "vuln/sarif.hpp"
#include "vuln/vex.hpp"

namespace distill::vuln {

core::Result<ScanReport> scan_image(const image::ImageOpener& open, const ScanOptions& o,
                                    core::Clock& clock) {
  ScanReport r;
  if (!o.fail_on.empty()) {
    r.fail_on = parse_severity(o.fail_on);
    if (!r.fail_on)
      return core::make_error("--fail-on", fmt::format("unknown severity '{}'", o.fail_on),
                              "critical, high, medium, low, negligible or unknown");
  }
  if (o.format != "table" && o.format != "json" && o.format != "sarif")
    return core::make_error("--format", fmt::format("unknown format '{}'", o.format),
                            "table, json or sarif");
  std::map<std::string, std::string> ignore;
  if (!o.ignore_file.empty()) {
    DISTILL_ASSIGN(std::string text, core::read_file(o.ignore_file));
    DISTILL_ASSIGN(ignore, parse_ignore_list(text, o.ignore_file));
  }
  std::vector<VexDocument> vex;
  for (const auto& path : o.vex_files) {
    DISTILL_ASSIGN(VexDocument doc, read_openvex(path));
    vex.push_back(std::move(doc));
  }
  r.database_path = database_path(o.db, o.cache_dir);
  DISTILL_ASSIGN(auto db, Database::open(r.database_path));
  r.database = db->info();
  r.age_days = database_age_days(r.database, clock.now());
  std::optional<cache::Cache> cache;
  if (!o.no_cache) cache = sbom::open_inventory_cache(o.cache_dir);
  DISTILL_ASSIGN(auto source, open());
  DISTILL_ASSIGN(sbom::ImageInventory inv,
                 sbom::read_inventory(*source, {o.platform, false, cache ? &*cache : nullptr, {}}));
  r.reference = inv.reference;
  r.name = inv.name;
  r.digest = inv.digest;
  r.platform = inv.platform;
  DISTILL_ASSIGN(ImageMatch matched,
                 match_image(inv.os, inv.packages, *db, inv.reference, inv.lang_packages));
  r.release = std::move(matched.release);
  r.findings = std::move(matched.findings);
  // VEX first: a supplier's statement outranks a local ignore entry.
  r.suppressed = apply_vex(r.findings, vex, {r.digest});
  filter_findings(r, o.ignore_unfixed, ignore);
  return r;
}

core::Result<ImageMatch> match_image(const std::optional<image::OsRelease>& os,
                                     const std::vector<image::DpkgPackage>& packages,
                                     const AdvisoryLookup& advisories, std::string_view where,
                                     const std::vector<sbom::LangPackage>& lang) {
  ImageMatch m;
  auto release = image_codename(os);
  if (!release.ok())
    return where.empty() ? release.error() : release.error().with_where(std::string(where));
  m.release = std::move(*release);
  DISTILL_ASSIGN(m.findings, match_packages(packages, m.release, advisories));
  DISTILL_ASSIGN(std::vector<Finding> lang_findings, match_lang_packages(lang, advisories));
  m.findings.insert(m.findings.end(), lang_findings.begin(), lang_findings.end());
  sort_findings(m.findings);
  return m;
}

std::string render_scan_report(const ScanReport& r, std::string_view format,
                               std::string_view tool_version) {
  if (format == "json")
    return report_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (format == "sarif")
    return report_sarif(r, tool_version)
               .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
           "\n";
  return report_table(r);
}

core::Status scan_status(const ScanReport& r) {
  size_t n = r.failing();
  if (n == 0) return core::Status::Ok();
  // A distinct code: the scan ran and found what --fail-on asks to fail on
  // (exit 3), which CI must tell from a scan that could not run (exit 1).
  return core::make_error(r.reference,
                          fmt::format("{} finding{} at or above severity {}", n, n == 1 ? "" : "s",
                                      severity_name(*r.fail_on)),
                          "--fail-on")
      .with_code(core::ErrorCode::kPolicyFailed);
}

}  // namespace distill::vuln
