#include "vuln/tracker_import.hpp"

#include <nlohmann/json.hpp>
#include <string>

#include "core/json.hpp"

namespace distill::vuln {
namespace {

using json = nlohmann::json;

core::Status add_release(const std::string& package, const std::string& issue,
                         const std::string& description, const std::string& release, const json& r,
                         std::vector<Advisory>& out) {
  if (!r.is_object()) return core::make_error("", "release " + release + " is not an object");
  Advisory a;
  a.id = issue;
  a.source_package = package;
  a.release = release;
  a.description = description;
  a.origin = std::string(kTrackerOrigin);
  DISTILL_ASSIGN(a.status, core::json_string(r, "status"));
  DISTILL_ASSIGN(a.fixed_version, core::json_string(r, "fixed_version"));
  DISTILL_ASSIGN(a.urgency, core::json_string(r, "urgency"));
  DISTILL_ASSIGN(a.nodsa_reason, core::json_string(r, "nodsa_reason"));
  if (a.status != "resolved" && a.status != "open" && a.status != "undetermined")
    return core::make_error("", "release " + release + ": unknown status \"" + a.status + "\"",
                            "expected resolved, open or undetermined");
  if (a.status == "resolved" && a.fixed_version.empty())
    return core::make_error("", "release " + release + ": resolved without fixed_version");
  out.push_back(std::move(a));
  return core::Status::Ok();
}

core::Status add_issue(const std::string& package, const std::string& issue, const json& rec,
                       std::vector<Advisory>& out) {
  if (!rec.is_object()) return core::make_error("", "is not an object");
  DISTILL_ASSIGN(std::string description, core::json_string(rec, "description"));
  auto it = rec.find("releases");
  if (it == rec.end() || it->is_null()) return core::Status::Ok();
  // The export writes an issue without any release as "releases": [].
  if (it->is_array() && it->empty()) return core::Status::Ok();
  if (!it->is_object()) return core::make_error("", "\"releases\" is not an object");
  for (const auto& [release, r] : it->items())
    DISTILL_TRY(add_release(package, issue, description, release, r, out));
  return core::Status::Ok();
}

}  // namespace

core::Result<std::vector<Advisory>> parse_tracker_json(std::string_view text,
                                                       std::string_view where) {
  DISTILL_ASSIGN(json root, core::parse_json(text, where));
  return tracker_advisories(root, where);
}

core::Result<std::vector<Advisory>> tracker_advisories(const json& root, std::string_view where) {
  if (!root.is_object())
    return core::make_error(std::string(where), "is not a Security Tracker export",
                            "expected an object keyed by source package");
  std::vector<Advisory> out;
  for (const auto& [package, issues] : root.items()) {
    if (!issues.is_object())
      return core::make_error(std::string(where), "package " + package + ": is not an object");
    for (const auto& [issue, rec] : issues.items()) {
      core::Status s = add_issue(package, issue, rec, out);
      if (!s.ok())
        return s.error().with_where(std::string(where) + ": package " + package + ", " + issue);
    }
  }
  return out;
}

}  // namespace distill::vuln
