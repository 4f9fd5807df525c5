#include "vuln/openvex.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace distill::vuln {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 5> kJustifications = {
    "component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"};

std::optional<VexStatus> parse_status(std::string_view s) {
  for (VexStatus v : {VexStatus::kNotAffected, VexStatus::kAffected, VexStatus::kFixed,
                      VexStatus::kUnderInvestigation})
    if (vex_status_name(v) == s) return v;
  return std::nullopt;
}

// An optional RFC 3339 member; `fallback` when absent.
core::Result<int64_t> timestamp_field(const json& obj, std::string_view key, int64_t fallback) {
  DISTILL_ASSIGN(std::string text, core::json_string(obj, key));
  if (text.empty()) return fallback;
  auto t = core::parse_rfc3339(text);
  if (!t.ok())
    return core::make_error(fmt::format("field '{}'", key),
                            fmt::format("'{}' is not an RFC 3339 date", text));
  return *t;
}

// A product or subcomponent: an object whose "@id" names it. A component
// named only by "identifiers" (purl, cpe) is read through its purl.
core::Result<std::string> component_id(const json& c) {
  if (!c.is_object()) return core::make_error("products", "an entry is not an object");
  DISTILL_ASSIGN(std::string id, core::json_string(c, "@id"));
  if (id.empty() && c.contains("identifiers")) {
    DISTILL_ASSIGN(auto ids, core::json_string_map(c, "identifiers"));
    if (auto it = ids.find("purl"); it != ids.end()) id = it->second;
  }
  if (id.empty()) return core::make_error("products", "an entry has no \"@id\"");
  return id;
}

core::Result<std::vector<VexProduct>> parse_products(const json& st) {
  std::vector<VexProduct> out;
  auto it = st.find("products");
  if (it == st.end() || it->is_null()) return out;
  if (!it->is_array()) return core::make_error("field 'products'", "is not a list");
  size_t total = 0;
  for (const json& p : *it) {
    VexProduct product;
    DISTILL_ASSIGN(product.id, component_id(p));
    if (auto sub = p.find("subcomponents"); sub != p.end() && !sub->is_null()) {
      if (!sub->is_array()) return core::make_error("field 'subcomponents'", "is not a list");
      for (const json& s : *sub) {
        if (++total > kMaxVexProducts) break;
        DISTILL_ASSIGN(std::string sid, component_id(s));
        product.subcomponents.push_back(std::move(sid));
      }
    }
    if (++total > kMaxVexProducts)
      return core::make_error("field 'products'",
                              fmt::format("more than {} products", kMaxVexProducts));
    out.push_back(std::move(product));
  }
  return out;
}

core::Status parse_vulnerability(const json& st, VexStatement& out) {
  auto it = st.find("vulnerability");
  if (it == st.end() || !it->is_object())
    return core::make_error("field 'vulnerability'", "is missing or not an object",
                            "{\"name\": \"CVE-2024-1234\"}");
  DISTILL_ASSIGN(std::string name, core::json_string(*it, "name"));
  DISTILL_ASSIGN(std::string id, core::json_string(*it, "@id"));
  DISTILL_ASSIGN(out.aliases, core::json_string_list(*it, "aliases"));
  if (name.empty()) std::swap(name, id);
  if (name.empty())
    return core::make_error("field 'vulnerability'", "has neither \"name\" nor \"@id\"");
  out.vulnerability = std::move(name);
  if (!id.empty()) out.aliases.push_back(std::move(id));
  return core::Status::Ok();
}

core::Result<VexStatement> parse_statement(const json& st, int64_t doc_time) {
  if (!st.is_object()) return core::make_error("", "is not an object");
  VexStatement s;
  DISTILL_TRY(parse_vulnerability(st, s));
  DISTILL_ASSIGN(s.products, parse_products(st));
  DISTILL_ASSIGN(std::string status, core::json_string(st, "status"));
  auto parsed = parse_status(status);
  if (!parsed)
    return core::make_error("field 'status'", fmt::format("unknown status '{}'", status),
                            "not_affected, affected, fixed or under_investigation");
  s.status = *parsed;
  DISTILL_ASSIGN(s.justification, core::json_string(st, "justification"));
  if (!s.justification.empty() && std::find(kJustifications.begin(), kJustifications.end(),
                                            s.justification) == kJustifications.end())
    return core::make_error("field 'justification'",
                            fmt::format("unknown justification '{}'", s.justification),
                            "one of OpenVEX's five, e.g. vulnerable_code_not_in_execute_path");
  DISTILL_ASSIGN(s.impact_statement, core::json_string(st, "impact_statement"));
  DISTILL_ASSIGN(s.action_statement, core::json_string(st, "action_statement"));
  // A suppression nobody can explain later is worse than none (as --ignore).
  if (s.status == VexStatus::kNotAffected && s.justification.empty() && s.impact_statement.empty())
    return core::make_error("", "is not_affected without a justification or impact_statement",
                            "OpenVEX requires one of them");
  DISTILL_ASSIGN(int64_t stamped, timestamp_field(st, "timestamp", doc_time));
  DISTILL_ASSIGN(s.timestamp, timestamp_field(st, "last_updated", stamped));
  return s;
}

}  // namespace

std::string_view vex_status_name(VexStatus s) {
  switch (s) {
    case VexStatus::kNotAffected:
      return "not_affected";
    case VexStatus::kAffected:
      return "affected";
    case VexStatus::kFixed:
      return "fixed";
    case VexStatus::kUnderInvestigation:
      return "under_investigation";
  }
  return "under_investigation";
}

core::Result<VexDocument> parse_openvex(std::string_view text, std::string_view where) {
  std::string at(where);
  if (text.size() > kMaxVexBytes)
    return core::make_error(at, fmt::format("is larger than {} bytes", kMaxVexBytes));
  DISTILL_ASSIGN(json j, core::parse_json(text, at));
  if (!j.is_object()) return core::make_error(at, "is not an OpenVEX document (not an object)");
  auto in_doc = [&](const core::Error& e) { return e.with_where(at); };
  VexDocument doc;
  doc.where = at;
  auto context = core::json_string(j, "@context");
  if (!context.ok()) return in_doc(context.error());
  if (*context != kOpenVexContext)
    return core::make_error(at, fmt::format("'@context' is '{}'", *context),
                            fmt::format("OpenVEX 0.2.0 documents say \"{}\"", kOpenVexContext));
  for (auto [key, field] : {std::pair{"@id", &doc.id}, std::pair{"author", &doc.author}}) {
    auto v = core::json_string(j, key);
    if (!v.ok()) return in_doc(v.error());
    *field = std::move(*v);
  }
  auto stamp = timestamp_field(j, "timestamp", 0);
  if (!stamp.ok()) return in_doc(stamp.error());
  doc.timestamp = *stamp;
  auto statements = j.find("statements");
  if (statements == j.end() || !statements->is_array())
    return core::make_error(at, "has no \"statements\" list");
  if (statements->size() > kMaxVexStatements)
    return core::make_error(at, fmt::format("has more than {} statements", kMaxVexStatements));
  for (size_t i = 0; i < statements->size(); ++i) {
    auto s = parse_statement((*statements)[i], doc.timestamp);
    if (!s.ok()) return s.error().with_where(fmt::format("{}: statement {}", at, i));
    s->index = i;
    doc.statements.push_back(std::move(*s));
  }
  return doc;
}

core::Result<VexDocument> read_openvex(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) > kMaxVexBytes)
    return core::make_error(path, fmt::format("is larger than {} bytes", kMaxVexBytes),
                            "split the VEX statements over several files");
  DISTILL_ASSIGN(std::string text, core::read_file(path));
  return parse_openvex(text, path);
}

}  // namespace distill::vuln
