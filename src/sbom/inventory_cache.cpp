#include "sbom/inventory_cache.hpp"

#include <nlohmann/json.hpp>

#include "core/json.hpp"

namespace distill::sbom {
namespace {

// Bump when the record's fields or their meaning change (v2: language packages).
constexpr std::string_view kRecordVersion = "inventory-v2";

nlohmann::json package_record_json(const image::DpkgPackage& p) {
  nlohmann::json j = {{"name", p.name},
                      {"version", p.version},
                      {"architecture", p.architecture},
                      {"source", p.source},
                      {"source_version", p.source_version},
                      {"status", p.status},
                      {"database_file", p.database_file}};
  if (p.installed_size_kib) j["installed_size_kib"] = *p.installed_size_kib;
  return j;
}

image::DpkgPackage package_from(const nlohmann::json& j) {
  image::DpkgPackage p;
  p.name = j.at("name").get<std::string>();
  p.version = j.at("version").get<std::string>();
  p.architecture = j.at("architecture").get<std::string>();
  p.source = j.at("source").get<std::string>();
  p.source_version = j.at("source_version").get<std::string>();
  p.status = j.at("status").get<std::string>();
  p.database_file = j.at("database_file").get<std::string>();
  if (j.contains("installed_size_kib"))
    p.installed_size_kib = j.at("installed_size_kib").get<uint64_t>();
  return p;
}

nlohmann::json lang_record_json(const LangPackage& p) {
  return {{"ecosystem", p.ecosystem},
          {"name", p.name},
          {"version", p.version},
          {"license", p.license},
          {"locations", p.locations}};
}

LangPackage lang_from(const nlohmann::json& j) {
  LangPackage p;
  p.ecosystem = j.at("ecosystem").get<std::string>();
  p.name = j.at("name").get<std::string>();
  p.version = j.at("version").get<std::string>();
  p.license = j.at("license").get<std::string>();
  p.locations = j.at("locations").get<std::vector<std::string>>();
  return p;
}

}  // namespace

std::string inventory_cache_key(std::string_view manifest_digest, bool with_copyrights) {
  return std::string(kRecordVersion) + "-" + std::string(manifest_digest) +
         (with_copyrights ? "-copyrights" : "");
}

core::Result<std::string> inventory_record(const ImageInventory& inv) {
  nlohmann::json j = {{"version", kRecordVersion},
                      {"digest", inv.digest},
                      {"platform", inv.platform},
                      {"created", inv.created},
                      {"packages", nlohmann::json::array()},
                      {"lang_packages", nlohmann::json::array()},
                      {"copyrights", inv.copyrights}};
  if (inv.os)
    j["os"] = {{"fields", inv.os->fields},
               {"file", inv.os->file},
               {"debian_version", inv.os->debian_version}};
  for (const auto& p : inv.packages) j["packages"].push_back(package_record_json(p));
  for (const auto& p : inv.lang_packages) j["lang_packages"].push_back(lang_record_json(p));
  try {
    return j.dump();
  } catch (const nlohmann::json::exception& e) {
    // Package fields come from the image and need not be UTF-8; such an
    // inventory is not recorded rather than recorded altered.
    return core::make_error(inv.digest, std::string("cannot record the inventory: ") + e.what());
  }
}

core::Result<ImageInventory> parse_inventory_record(std::string_view text, std::string_view where) {
  auto parsed = core::parse_json(text);
  if (!parsed.ok())
    return core::make_error(std::string(where), "bad inventory record: " + parsed.error().what);
  nlohmann::json& j = *parsed;
  try {
    if (j.at("version").get<std::string>() != kRecordVersion)
      return core::make_error(std::string(where), "inventory record of another version");
    ImageInventory inv;
    inv.digest = j.at("digest").get<std::string>();
    inv.platform = j.at("platform").get<std::string>();
    inv.created = j.at("created").get<int64_t>();
    if (j.contains("os")) {
      image::OsRelease os;
      os.fields = j["os"].at("fields").get<std::map<std::string, std::string>>();
      os.file = j["os"].at("file").get<std::string>();
      os.debian_version = j["os"].at("debian_version").get<std::string>();
      inv.os = std::move(os);
    }
    for (const auto& p : j.at("packages")) inv.packages.push_back(package_from(p));
    for (const auto& p : j.at("lang_packages")) inv.lang_packages.push_back(lang_from(p));
    inv.copyrights = j.at("copyrights").get<std::map<std::string, std::string>>();
    return inv;
  } catch (const nlohmann::json::exception& e) {
    return core::make_error(std::string(where), std::string("bad inventory record: ") + e.what());
  }
}

std::optional<cache::Cache> open_inventory_cache(const std::string& cache_dir) {
  auto c = cache::Cache::open(cache_dir.empty() ? cache::Cache::default_root() : cache_dir);
  if (!c.ok()) return std::nullopt;
  return std::move(c).value();
}

}  // namespace distill::sbom
