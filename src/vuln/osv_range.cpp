#include "vuln/osv_range.hpp"

#include <algorithm>

#include "core/json.hpp"
#include "sbom/purl.hpp"
#include "vuln/version_maven.hpp"
#include "vuln/version_pep440.hpp"
#include "vuln/version_semver.hpp"

namespace distill::vuln {
namespace {

// OSV's Go data writes versions without the 'v' and the toolchain as
// "1.21.3"; Go itself says "v1.2.3" and "go1.21.3".
std::string_view go_version_text(std::string_view v) {
  if (v.starts_with("go")) v.remove_prefix(2);
  return v;
}

std::optional<int> compare_in_range(std::string_view type, std::string_view ecosystem,
                                    std::string_view a, std::string_view b) {
  if (type == "SEMVER") {
    if (ecosystem == kGo) return compare_semver(go_version_text(a), go_version_text(b));
    return compare_semver(a, b);
  }
  return compare_ecosystem_versions(ecosystem, a, b);
}

const std::string& event_version(const OsvEvent& e) {
  if (!e.introduced.empty()) return e.introduced;
  if (!e.fixed.empty()) return e.fixed;
  if (!e.last_affected.empty()) return e.last_affected;
  return e.limit;
}

// Is `a` below `b` (introduced "0" below everything); unreadable versions keep
// their place (a stable sort).
bool event_before(const OsvRange& r, std::string_view ecosystem, const OsvEvent& a,
                  const OsvEvent& b) {
  if (a.introduced == "0") return b.introduced != "0";
  if (b.introduced == "0") return false;
  auto c = compare_in_range(r.type, ecosystem, event_version(a), event_version(b));
  return c && *c < 0;
}

bool range_affects(const OsvRange& r, std::string_view ecosystem, std::string_view version) {
  auto at_or_above = [&](const std::string& bound) {
    auto c = compare_in_range(r.type, ecosystem, version, bound);
    return c && *c >= 0;
  };
  if (!compare_in_range(r.type, ecosystem, version, version)) return false;
  std::vector<OsvEvent> events = r.events;
  std::stable_sort(events.begin(), events.end(), [&](const OsvEvent& a, const OsvEvent& b) {
    return event_before(r, ecosystem, a, b);
  });
  bool limited = false, below_a_limit = false;
  bool affected = false;
  for (const OsvEvent& e : events) {
    if (!e.introduced.empty()) {
      if (e.introduced == "0" || at_or_above(e.introduced)) affected = true;
    } else if (!e.fixed.empty()) {
      if (at_or_above(e.fixed)) affected = false;
    } else if (!e.last_affected.empty()) {
      auto c = compare_in_range(r.type, ecosystem, version, e.last_affected);
      if (c && *c > 0) affected = false;
    } else if (!e.limit.empty()) {
      limited = true;
      if (e.limit == "*" || !at_or_above(e.limit)) below_a_limit = true;
    }
  }
  return affected && (!limited || below_a_limit);
}

core::Result<OsvEvent> parse_event(const nlohmann::json& e) {
  if (!e.is_object()) return core::make_error("", "an event is not an object");
  OsvEvent ev;
  DISTILL_ASSIGN(ev.introduced, core::json_string(e, "introduced"));
  DISTILL_ASSIGN(ev.fixed, core::json_string(e, "fixed"));
  DISTILL_ASSIGN(ev.last_affected, core::json_string(e, "last_affected"));
  DISTILL_ASSIGN(ev.limit, core::json_string(e, "limit"));
  int set =
      !ev.introduced.empty() + !ev.fixed.empty() + !ev.last_affected.empty() + !ev.limit.empty();
  if (set != 1) return core::make_error("", "an event must hold exactly one version");
  return ev;
}

}  // namespace

bool is_language_ecosystem(std::string_view ecosystem) {
  return ecosystem == kPyPI || ecosystem == kNpm || ecosystem == kGo || ecosystem == kMaven;
}

std::string ecosystem_package_key(std::string_view ecosystem, std::string_view name) {
  if (ecosystem == kPyPI) return sbom::pep503_name(name);
  return std::string(name);
}

std::optional<int> compare_ecosystem_versions(std::string_view ecosystem, std::string_view a,
                                              std::string_view b) {
  if (ecosystem == kPyPI) return compare_pep440(a, b);
  if (ecosystem == kNpm) return compare_semver(a, b);
  if (ecosystem == kGo) return compare_semver(go_version_text(a), go_version_text(b));
  if (ecosystem == kMaven) {
    if (a.empty() || b.empty()) return std::nullopt;
    return compare_maven(a, b);
  }
  return std::nullopt;
}

core::Result<OsvAffected> parse_osv_affected(const nlohmann::json& affected) {
  OsvAffected out;
  if (auto ranges = affected.find("ranges"); ranges != affected.end() && !ranges->is_null()) {
    if (!ranges->is_array()) return core::make_error("", "\"ranges\" is not a list");
    for (const auto& range : *ranges) {
      if (!range.is_object()) return core::make_error("", "a range is not an object");
      OsvRange r;
      DISTILL_ASSIGN(r.type, core::json_string(range, "type"));
      if (r.type != "ECOSYSTEM" && r.type != "SEMVER") continue;
      auto events = range.find("events");
      if (events == range.end() || !events->is_array())
        return core::make_error("", "a range without \"events\"");
      for (const auto& e : *events) {
        DISTILL_ASSIGN(OsvEvent ev, parse_event(e));
        r.events.push_back(std::move(ev));
      }
      out.ranges.push_back(std::move(r));
    }
  }
  if (affected.contains("versions") && !affected["versions"].is_null()) {
    DISTILL_ASSIGN(out.versions, core::json_string_list(affected, "versions"));
  }
  return out;
}

std::string osv_affected_json(const OsvAffected& a) {
  nlohmann::json ranges = nlohmann::json::array();
  for (const auto& r : a.ranges) {
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : r.events) {
      nlohmann::json j = nlohmann::json::object();
      if (!e.introduced.empty()) j["introduced"] = e.introduced;
      if (!e.fixed.empty()) j["fixed"] = e.fixed;
      if (!e.last_affected.empty()) j["last_affected"] = e.last_affected;
      if (!e.limit.empty()) j["limit"] = e.limit;
      events.push_back(std::move(j));
    }
    ranges.push_back({{"type", r.type}, {"events", std::move(events)}});
  }
  return nlohmann::json{{"ranges", std::move(ranges)}, {"versions", a.versions}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

core::Result<OsvAffected> osv_affected_from_json(std::string_view text) {
  DISTILL_ASSIGN(nlohmann::json j, core::parse_json(text, "advisory ranges"));
  if (!j.is_object()) return core::make_error("advisory ranges", "not an object");
  return parse_osv_affected(j);
}

bool osv_affects(const OsvAffected& a, std::string_view ecosystem, std::string_view version) {
  for (const auto& v : a.versions) {
    if (v == version) return true;
    auto c = compare_ecosystem_versions(ecosystem, v, version);
    if (c && *c == 0) return true;
  }
  for (const auto& r : a.ranges)
    if (range_affects(r, ecosystem, version)) return true;
  return false;
}

std::string osv_fixed_after(const OsvAffected& a, std::string_view ecosystem,
                            std::string_view version) {
  std::string best;
  for (const auto& r : a.ranges)
    for (const auto& e : r.events) {
      if (e.fixed.empty()) continue;
      auto above = compare_in_range(r.type, ecosystem, e.fixed, version);
      if (!above || *above <= 0) continue;
      auto lower = best.empty() ? std::optional<int>(-1)
                                : compare_in_range(r.type, ecosystem, e.fixed, best);
      if (lower && *lower < 0) best = e.fixed;
    }
  return best;
}

}  // namespace distill::vuln
