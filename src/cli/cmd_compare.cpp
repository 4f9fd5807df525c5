#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "compare/comparison.hpp"
#include "compare/html_report.hpp"
#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "image/image_source.hpp"
#include "vuln/database.hpp"

namespace distill::cli {
namespace {

struct CompareArgs {
  std::string image_a;
  std::string image_b;
  std::string platform;
  std::string format = "table";
  std::string html;
  std::string db;
  transport::Options transport;
};

// The one platform image `ref` selects (--platform narrows a multi-platform one).
core::Result<compare::ImageProfile> profile(const std::string& ref, const std::string& platform,
                                            const vuln::AdvisoryLookup* advisories,
                                            const transport::Options& transport) {
  DISTILL_ASSIGN(auto source, transport::open_image(ref, transport));
  DISTILL_ASSIGN(auto selected, source->select_platform(platform));
  if (selected.size() != 1)
    return core::make_error(ref, fmt::format("holds {} platform images", selected.size()),
                            "pick one with --platform os/arch");
  return compare::profile_image(*source, *selected.front(), advisories);
}

// --db must open; the default database is used only when it exists, since
// comparing sizes needs none.
core::Result<std::unique_ptr<vuln::Database>> open_database(const CompareArgs& a,
                                                            const GlobalOptions& g) {
  std::string path = vuln::database_path(a.db, g.cache_dir);
  if (a.db.empty() && !core::path_exists(path)) return std::unique_ptr<vuln::Database>();
  return vuln::Database::open(path);
}

core::Status write_html(const std::string& path, const compare::Comparison& c) {
  DISTILL_ASSIGN(auto out, core::AtomicFile::create(path));
  DISTILL_TRY(out.write(compare::html_report(c)));
  return out.commit();
}

core::Status run_compare(const CompareArgs& a, const GlobalOptions& g) {
  DISTILL_ASSIGN(auto db, open_database(a, g));
  DISTILL_ASSIGN(auto pa, profile(a.image_a, a.platform, db.get(), a.transport));
  DISTILL_ASSIGN(auto pb, profile(a.image_b, a.platform, db.get(), a.transport));
  auto c = compare::compare_profiles(std::move(pa), std::move(pb));
  if (!a.html.empty()) {
    DISTILL_TRY(write_html(a.html, c));
  }
  if (a.format == "json")
    std::printf("%s\n", compare::comparison_json(c)
                            .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                            .c_str());
  else
    std::fputs(compare::comparison_table(c).c_str(), stdout);
  return core::Status::Ok();
}

}  // namespace

Command compare_command() {
  return {"compare",
          "Compare two images side by side: sizes, packages, shells, findings, size by package",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto a = std::make_shared<CompareArgs>();
            sub.add_option("image_a", a->image_a, "First image (OCI layout or docker-archive)")
                ->required();
            sub.add_option("image_b", a->image_b, "Second image")->required();
            add_transport_options(sub, a->transport);
            sub.add_option("--platform", a->platform,
                           "The platform to compare in multi-platform images, e.g. linux/amd64");
            sub.add_option("--format", a->format, "table or json")
                ->check(CLI::IsMember({"table", "json"}))
                ->capture_default_str();
            sub.add_option("--html", a->html, "Also write a self-contained HTML report to FILE");
            sub.add_option("--db", a->db,
                           "Vulnerability database (default $XDG_CACHE_HOME/distill/vulndb.sqlite, "
                           "used when it exists)");
            return [a, &g]() { return run_compare(*a, g); };
          }};
}

}  // namespace distill::cli
