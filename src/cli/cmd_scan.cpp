#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "core/clock.hpp"
#include "image/image_source.hpp"
#include "vuln/scan.hpp"

namespace distill::cli {
namespace {

struct ScanArgs {
  std::string image;
  vuln::ScanOptions options;
  transport::Options transport;  // --insecure, --ca-cert
};

}  // namespace

Command scan_command() {
  return {"scan", "Match an image's Debian packages against the local vulnerability database",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto a = std::make_shared<ScanArgs>();
            vuln::ScanOptions& o = a->options;
            add_image_argument(sub, a->image, a->transport);
            sub.add_option("--platform", o.platform, "The platform to scan, e.g. linux/arm64");
            sub.add_option("--db", o.db,
                           "Database file (default $XDG_CACHE_HOME/distill/vulndb.sqlite)");
            sub.add_option("--format", o.format, "table, json or sarif")->capture_default_str();
            sub.add_option("--fail-on", o.fail_on,
                           "Exit 3 when a finding has this severity or higher "
                           "(critical, high, medium, low, negligible, unknown)");
            sub.add_flag("--ignore-unfixed", o.ignore_unfixed,
                         "Leave out findings without a fixed version");
            sub.add_option("--ignore", o.ignore_file,
                           "File of issue ids to accept, one per line with a reason each");
            sub.add_option(
                   "--vex", o.vex_files,
                   "OpenVEX document (repeatable): findings stated not_affected or fixed for "
                   "this image or package are suppressed")
                ->allow_extra_args(false);
            sub.add_flag("--no-cache", o.no_cache,
                         "Read the image's layers even when its inventory is in the cache");
            return [&g, a]() -> core::Status {
              a->options.cache_dir = g.cache_dir;
              auto open = [&] { return transport::open_image(a->image, a->transport); };
              DISTILL_ASSIGN(vuln::ScanReport r,
                             vuln::scan_image(open, a->options, core::system_clock()));
              if (r.stale())
                std::fprintf(stderr,
                             "distill: warning: %s: the vulnerability data is %lld days old "
                             "(run 'distill db update')\n",
                             r.database_path.c_str(), static_cast<long long>(r.age_days));
              std::string out = vuln::render_scan_report(r, a->options.format, DISTILL_VERSION);
              std::fwrite(out.data(), 1, out.size(), stdout);
              std::fflush(stdout);
              return vuln::scan_status(r);
            };
          }};
}

}  // namespace distill::cli
