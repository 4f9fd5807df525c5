#include "compare/compare_images.hpp"

#include <fmt/format.h>

#include <memory>

#include "compare/html_report.hpp"
#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "vuln/database.hpp"

namespace distill::compare {
namespace {

// The one platform image the reference selects (--platform narrows a multi-platform one).
core::Result<ImageProfile> profile_one(const image::ImageOpener& open, const std::string& platform,
                                       const vuln::AdvisoryLookup* advisories) {
  DISTILL_ASSIGN(auto source, open());
  DISTILL_ASSIGN(auto selected, source->select_platform(platform));
  if (selected.size() != 1)
    return core::make_error(source->name().text,
                            fmt::format("holds {} platform images", selected.size()),
                            "pick one with --platform os/arch");
  return profile_image(*source, *selected.front(), advisories);
}

// --db must open; the default database is used only when it exists, since
// comparing sizes needs none.
core::Result<std::unique_ptr<vuln::Database>> open_compare_database(const CompareOptions& o) {
  std::string path = vuln::database_path(o.db, o.cache_dir);
  if (o.db.empty() && !core::path_exists(path)) return std::unique_ptr<vuln::Database>();
  return vuln::Database::open(path);
}

core::Status write_html(const std::string& path, const Comparison& c) {
  DISTILL_ASSIGN(auto out, core::AtomicFile::create(path));
  DISTILL_TRY(out.write(html_report(c)));
  return out.commit();
}

}  // namespace

core::Result<Comparison> compare_images(const image::ImageOpener& open_a,
                                        const image::ImageOpener& open_b,
                                        const CompareOptions& options) {
  DISTILL_ASSIGN(auto db, open_compare_database(options));
  DISTILL_ASSIGN(auto pa, profile_one(open_a, options.platform, db.get()));
  DISTILL_ASSIGN(auto pb, profile_one(open_b, options.platform, db.get()));
  Comparison c = compare_profiles(std::move(pa), std::move(pb));
  if (!options.html.empty()) {
    DISTILL_TRY(write_html(options.html, c));
  }
  return c;
}

}  // namespace distill::compare
