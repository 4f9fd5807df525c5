#include "vuln/osv_import.hpp"

#include <nlohmann/json.hpp>
#include <string>

#include "core/json.hpp"
#include "core/strings.hpp"
#include "debian/distro.hpp"
#include "vuln/osv_range.hpp"
#include "vuln/release.hpp"

namespace distill::vuln {
namespace {

using json = nlohmann::json;

constexpr std::string_view kEcosystemPrefix = "Debian:";

// The urgency Debian's OSV export puts beside each affected package.
core::Result<std::string> urgency_of(const json& affected) {
  for (const char* key : {"ecosystem_specific", "database_specific"}) {
    auto it = affected.find(key);
    if (it == affected.end() || !it->is_object()) continue;
    DISTILL_ASSIGN(std::string urgency, core::json_string(*it, "urgency"));
    if (!urgency.empty()) return urgency;
  }
  return std::string();
}

// The last "fixed" event of the ECOSYSTEM (and SEMVER) ranges, "" when there is none.
core::Result<std::string> fixed_of(const json& affected) {
  std::string fixed;
  auto ranges = affected.find("ranges");
  if (ranges == affected.end() || ranges->is_null()) return fixed;
  if (!ranges->is_array()) return core::make_error("", "\"ranges\" is not a list");
  for (const auto& range : *ranges) {
    if (!range.is_object()) return core::make_error("", "a range is not an object");
    DISTILL_ASSIGN(std::string type, core::json_string(range, "type"));
    if (type != "ECOSYSTEM" && type != "SEMVER") continue;
    auto events = range.find("events");
    if (events == range.end() || !events->is_array()) continue;
    for (const auto& event : *events) {
      if (!event.is_object()) return core::make_error("", "an event is not an object");
      DISTILL_ASSIGN(std::string f, core::json_string(event, "fixed"));
      if (!f.empty()) fixed = f;
    }
  }
  return fixed;
}

// A language record's severity: GitHub's advisories say it in
// database_specific ("CRITICAL", "HIGH", "MODERATE", "LOW"), on the record or
// the affected entry; made the urgency words severity_from_urgency reads.
core::Result<std::string> language_urgency(const json& rec, const json& affected) {
  for (const json* j : {&affected, &rec}) {
    auto it = j->find("database_specific");
    if (it == j->end() || !it->is_object()) continue;
    auto sev = it->find("severity");
    if (sev == it->end() || !sev->is_string()) continue;
    std::string word = core::ascii_lower(sev->get<std::string>());
    return word == "moderate" ? std::string("medium") : word;
  }
  return std::string();
}

core::Status add_language(const std::string& id, const std::string& description, const json& rec,
                          const json& affected, const std::string& ecosystem,
                          std::vector<Advisory>& out) {
  Advisory a;
  a.id = id;
  a.ecosystem = ecosystem;
  DISTILL_ASSIGN(std::string name, core::json_string(affected.at("package"), "name"));
  if (name.empty()) return core::make_error("", "a " + ecosystem + " package without a name");
  a.source_package = ecosystem_package_key(ecosystem, name);
  DISTILL_ASSIGN(OsvAffected ranges, parse_osv_affected(affected));
  a.affected = osv_affected_json(ranges);
  DISTILL_ASSIGN(a.fixed_version, fixed_of(affected));
  a.status = a.fixed_version.empty() ? "open" : "resolved";
  DISTILL_ASSIGN(a.urgency, language_urgency(rec, affected));
  a.description = description;
  a.origin = std::string(kOsvOrigin);
  out.push_back(std::move(a));
  return core::Status::Ok();
}

core::Status add_affected(const std::string& id, const std::string& description, const json& rec,
                          const json& affected, std::vector<Advisory>& out) {
  if (!affected.is_object()) return core::make_error("", "an \"affected\" entry is not an object");
  auto pkg = affected.find("package");
  if (pkg == affected.end() || !pkg->is_object()) return core::Status::Ok();
  DISTILL_ASSIGN(std::string ecosystem, core::json_string(*pkg, "ecosystem"));
  if (is_language_ecosystem(ecosystem))
    return add_language(id, description, rec, affected, ecosystem, out);
  if (!ecosystem.starts_with(kEcosystemPrefix)) return core::Status::Ok();
  std::string version = ecosystem.substr(kEcosystemPrefix.size());
  auto codename = debian::codename_for_version(version.substr(0, version.find('.')));
  if (!codename) return core::Status::Ok();  // a release this tool does not know
  Advisory a;
  a.id = id;
  DISTILL_ASSIGN(a.source_package, core::json_string(*pkg, "name"));
  if (a.source_package.empty()) return core::make_error("", "a Debian package without a name");
  a.release = *codename;
  DISTILL_ASSIGN(a.fixed_version, fixed_of(affected));
  a.status = a.fixed_version.empty() ? "open" : "resolved";
  DISTILL_ASSIGN(a.urgency, urgency_of(affected));
  a.description = description;
  a.origin = std::string(kOsvOrigin);
  out.push_back(std::move(a));
  return core::Status::Ok();
}

core::Status parse_record(const json& rec, std::vector<Advisory>& out) {
  if (!rec.is_object()) return core::make_error("", "is not an OSV record");
  DISTILL_ASSIGN(std::string id, core::json_string(rec, "id"));
  if (id.empty()) return core::make_error("", "an OSV record without \"id\"");
  if (id.starts_with("DEBIAN-CVE-")) id = id.substr(7);
  DISTILL_ASSIGN(std::string description, core::json_string(rec, "summary"));
  if (description.empty()) {
    DISTILL_ASSIGN(description, core::json_string(rec, "details"));
  }
  auto affected = rec.find("affected");
  if (affected == rec.end() || affected->is_null()) return core::Status::Ok();
  if (!affected->is_array()) return core::make_error("", "\"affected\" is not a list");
  for (const auto& a : *affected) DISTILL_TRY(add_affected(id, description, rec, a, out));
  return core::Status::Ok();
}

}  // namespace

core::Result<std::vector<Advisory>> parse_osv_json(std::string_view text, std::string_view where) {
  DISTILL_ASSIGN(json root, core::parse_json(text, where));
  return osv_advisories(root, where);
}

core::Result<std::vector<Advisory>> osv_advisories(const json& root, std::string_view where) {
  std::vector<Advisory> out;
  // Some exports bundle records in a list; accept both shapes.
  if (root.is_array()) {
    for (const auto& rec : root) {
      core::Status s = parse_record(rec, out);
      if (!s.ok()) return s.error().with_where(std::string(where));
    }
    return out;
  }
  core::Status s = parse_record(root, out);
  if (!s.ok()) return s.error().with_where(std::string(where));
  return out;
}

}  // namespace distill::vuln
