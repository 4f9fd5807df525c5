#include "sbom/sbom_file.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <optional>

#include "core/file_util.hpp"
#include "core/time.hpp"
#include "image/image_source.hpp"
#include "sbom/cyclonedx.hpp"
#include "sbom/inventory_cache.hpp"
#include "sbom/spdx.hpp"
#include "transport/open.hpp"

namespace distill::sbom {

core::Result<SbomFormat> parse_sbom_format(std::string_view name) {
  if (name == "spdx-json") return SbomFormat::kSpdxJson;
  if (name == "cyclonedx-json") return SbomFormat::kCycloneDxJson;
  return core::make_error("--format", fmt::format("unknown SBOM format '{}'", name),
                          "spdx-json or cyclonedx-json");
}

std::string_view sbom_extension(SbomFormat f) {
  return f == SbomFormat::kSpdxJson ? ".spdx.json" : ".cdx.json";
}

std::string_view sbom_media_type(SbomFormat f) {
  return f == SbomFormat::kSpdxJson ? "application/spdx+json" : "application/vnd.cyclonedx+json";
}

core::Result<int64_t> document_time(const ImageInventory& inv) {
  DISTILL_ASSIGN(std::optional<int64_t> epoch, core::source_date_epoch());
  return epoch.value_or(inv.created);
}

core::Result<std::string> render_sbom(const ImageInventory& inv, SbomFormat format) {
  DocumentInfo info;
  DISTILL_ASSIGN(info.created, document_time(inv));
  info.tool_version = DISTILL_VERSION;
  nlohmann::ordered_json doc =
      format == SbomFormat::kSpdxJson ? spdx_document(inv, info) : cyclonedx_document(inv, info);
  try {
    return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::strict) + "\n";
  } catch (const nlohmann::json::exception& e) {
    return core::make_error(inv.reference, std::string("cannot write the SBOM: ") + e.what(),
                            "package fields must be valid UTF-8");
  }
}

core::Result<std::string> image_sbom(const image::ImageOpener& open, const SbomOptions& options) {
  DISTILL_ASSIGN(SbomFormat format, parse_sbom_format(options.format));
  std::optional<cache::Cache> cache;
  if (!options.no_cache) cache = open_inventory_cache(options.cache_dir);
  DISTILL_ASSIGN(auto source, open());
  DISTILL_ASSIGN(ImageInventory inv,
                 read_inventory(*source, {options.platform, true, cache ? &*cache : nullptr, {}}));
  return render_sbom(inv, format);
}

core::Result<std::vector<PlatformSbom>> render_platform_sboms(const std::string& image_ref,
                                                              SbomFormat format,
                                                              cache::Cache* cache) {
  DISTILL_ASSIGN(auto source, transport::open_image(image_ref));
  std::vector<PlatformSbom> out;
  for (const auto& img : source->images())
    out.push_back({img.config.platform.str(), img.manifest_descriptor, ""});
  for (auto& s : out) {
    DISTILL_ASSIGN(ImageInventory inv, read_inventory(*source, {s.platform, true, cache, {}}));
    DISTILL_ASSIGN(s.text, render_sbom(inv, format));
  }
  return out;
}

core::Result<std::vector<std::string>> write_sboms_beside(const std::vector<PlatformSbom>& sboms,
                                                          const std::string& base,
                                                          SbomFormat format) {
  std::vector<std::string> written;
  for (const auto& s : sboms) {
    std::string suffix;
    if (sboms.size() > 1) {
      suffix = "." + s.platform;
      for (char& c : suffix)
        if (c == '/') c = '-';
    }
    std::string path = base + suffix + std::string(sbom_extension(format));
    DISTILL_TRY(core::write_file_atomic(path, s.text));
    written.push_back(path);
  }
  return written;
}

}  // namespace distill::sbom
