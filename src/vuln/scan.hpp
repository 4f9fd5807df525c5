#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "image/dpkg_inventory.hpp"
#include "image/image_opener.hpp"
#include "image/os_release.hpp"
#include "sbom/lang_package.hpp"
#include "vuln/advisory.hpp"
#include "vuln/matcher.hpp"
#include "vuln/scan_report.hpp"

namespace distill::vuln {

// What `distill scan` is asked for (docs/vulnerability-scanning.md).
struct ScanOptions {
  std::string platform;          // the platform image to scan; needed when there are several
  std::string db;                // database file; empty: database_path's default
  std::string cache_dir;         // cache root (the inventory cache and the default database)
  std::string format = "table";  // "table", "json" or "sarif"
  std::string fail_on;           // severity name; empty: never fail
  bool ignore_unfixed = false;
  std::string ignore_file;             // issue ids to accept, each with a reason
  std::vector<std::string> vex_files;  // OpenVEX documents (vuln/openvex.hpp, vuln/vex.hpp)
  bool no_cache = false;               // read the layers even when the inventory is cached
};

// The options are checked, the ignore list, VEX documents and the database read, then
// `open` is called and the image's inventory (cached by manifest digest)
// matched against the database for its Debian release.
core::Result<ScanReport> scan_image(const image::ImageOpener& open, const ScanOptions& options,
                                    core::Clock& clock);

// An image's packages matched for the release its os-release names; an
// image without a known Debian release is an error about `where` (if given).
struct ImageMatch {
  std::string release;  // the codename matched against
  std::vector<Finding> findings;
};
// Language packages (`lang`) are matched too, against their ecosystems' data.
core::Result<ImageMatch> match_image(const std::optional<image::OsRelease>& os,
                                     const std::vector<image::DpkgPackage>& packages,
                                     const AdvisoryLookup& advisories, std::string_view where = {},
                                     const std::vector<sbom::LangPackage>& lang = {});

// The report in `format` ("table", "json" or "sarif"), ending in a newline.
std::string render_scan_report(const ScanReport& report, std::string_view format,
                               std::string_view tool_version);

// An error when findings reach --fail-on: `distill scan` exits 1.
core::Status scan_status(const ScanReport& report);

}  // namespace distill::vuln
