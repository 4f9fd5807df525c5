#include "sbom/intoto.hpp"

#include <fmt/format.h>

#include "core/json.hpp"
#include "core/time.hpp"

namespace distill::sbom {
namespace {

using IntotoJson = nlohmann::json;

size_t intoto_hex_length(std::string_view algorithm) {
  if (algorithm == "sha256") return 64;
  if (algorithm == "sha512") return 128;
  if (algorithm == "sha384") return 96;
  if (algorithm == "sha1" || algorithm == "gitCommit") return 40;
  return 0;  // other algorithms: any non-empty lower-case hex
}

core::Status check_digest(const std::map<std::string, std::string>& digest, std::string_view what) {
  if (digest.empty()) return core::make_error(std::string(what), "has no digest");
  for (const auto& [algo, hex] : digest) {
    size_t want = intoto_hex_length(algo);
    bool ok = !algo.empty() && !hex.empty() && (want == 0 || hex.size() == want) &&
              hex.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!ok)
      return core::make_error(std::string(what),
                              fmt::format("digest {} '{}' is not lower-case hex", algo, hex));
  }
  return core::Status::Ok();
}

core::Result<IntotoJson> descriptor_json(const ResourceDescriptor& d, std::string_view what) {
  DISTILL_TRY(check_digest(d.digest, what));
  IntotoJson j = {{"digest", d.digest}};
  if (!d.name.empty()) j["name"] = d.name;
  if (!d.uri.empty()) j["uri"] = d.uri;
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

}  // namespace

core::Result<IntotoJson> statement_json(const Statement& s) {
  if (s.subjects.empty()) return core::make_error("in-toto statement", "has no subject");
  if (s.predicate_type.empty())
    return core::make_error("in-toto statement", "has no predicateType");
  IntotoJson subjects = IntotoJson::array();
  for (size_t i = 0; i < s.subjects.size(); ++i) {
    DISTILL_ASSIGN(IntotoJson d, descriptor_json(s.subjects[i], fmt::format("subject {}", i)));
    subjects.push_back(std::move(d));
  }
  return IntotoJson{{"_type", kInTotoStatementV1},
                    {"subject", std::move(subjects)},
                    {"predicateType", s.predicate_type},
                    {"predicate", s.predicate}};
}

core::Result<std::string> statement_payload(const Statement& s) {
  DISTILL_ASSIGN(IntotoJson j, statement_json(s));
  return core::dump_json(j, "in-toto statement");
}

core::Result<Statement> parse_statement(std::string_view text, std::string_view where) {
  std::string at(where);
  DISTILL_ASSIGN(IntotoJson j, core::parse_json(text, at));
  if (!j.is_object()) return core::make_error(at, "is not an in-toto statement");
  auto type = core::json_string(j, "_type");
  if (!type.ok()) return type.error().with_where(at);
  if (*type != kInTotoStatementV1)
    return core::make_error(at, fmt::format("'_type' is '{}'", *type),
                            fmt::format("in-toto Statement v1 is \"{}\"", kInTotoStatementV1));
  Statement s;
  auto predicate_type = core::json_string(j, "predicateType");
  if (!predicate_type.ok()) return predicate_type.error().with_where(at);
  s.predicate_type = std::move(*predicate_type);
  auto subjects = j.find("subject");
  if (subjects == j.end() || !subjects->is_array() || subjects->empty())
    return core::make_error(at, "has no \"subject\" list");
  for (size_t i = 0; i < subjects->size(); ++i) {
    std::string place = fmt::format("{}: subject {}", at, i);
    ResourceDescriptor d;
    auto name = core::json_string((*subjects)[i], "name");
    auto uri = core::json_string((*subjects)[i], "uri");
    auto digest = core::json_string_map((*subjects)[i], "digest");
    if (!name.ok()) return name.error().with_where(place);
    if (!uri.ok()) return uri.error().with_where(place);
    if (!digest.ok()) return digest.error().with_where(place);
    d = {std::move(*name), std::move(*uri), std::move(*digest), {}};
    DISTILL_TRY(check_digest(d.digest, place));
    s.subjects.push_back(std::move(d));
  }
  if (auto p = j.find("predicate"); p != j.end() && !p->is_null()) {
    if (!p->is_object()) return core::make_error(at, "'predicate' is not an object");
    s.predicate = *p;
  }
  if (s.predicate_type.empty()) return core::make_error(at, "has no \"predicateType\"");
  return s;
}

core::Status set_times_from_source_date_epoch(Provenance& p) {
  DISTILL_ASSIGN(std::optional<int64_t> epoch, core::source_date_epoch());
  p.started_on = epoch;
  p.finished_on = epoch;
  return core::Status::Ok();
}

core::Result<IntotoJson> provenance_predicate(const Provenance& p) {
  if (p.build_type.empty()) return core::make_error("SLSA provenance", "has no buildType");
  if (p.builder_id.empty()) return core::make_error("SLSA provenance", "has no builder id");
  if (!p.external_parameters.is_object() || !p.internal_parameters.is_object())
    return core::make_error("SLSA provenance", "parameters are not objects");
  IntotoJson definition = {{"buildType", p.build_type},
                           {"externalParameters", p.external_parameters}};
  if (!p.internal_parameters.empty()) definition["internalParameters"] = p.internal_parameters;
  if (!p.resolved_dependencies.empty()) {
    IntotoJson deps = IntotoJson::array();
    for (size_t i = 0; i < p.resolved_dependencies.size(); ++i) {
      DISTILL_ASSIGN(IntotoJson d, descriptor_json(p.resolved_dependencies[i],
                                                   fmt::format("resolved dependency {}", i)));
      deps.push_back(std::move(d));
    }
    definition["resolvedDependencies"] = std::move(deps);
  }
  IntotoJson builder = {{"id", p.builder_id}};
  if (!p.builder_version.empty()) builder["version"] = p.builder_version;
  IntotoJson run = {{"builder", std::move(builder)}};
  IntotoJson metadata = IntotoJson::object();
  if (!p.invocation_id.empty()) metadata["invocationId"] = p.invocation_id;
  if (p.started_on) metadata["startedOn"] = core::format_rfc3339(*p.started_on);
  if (p.finished_on) metadata["finishedOn"] = core::format_rfc3339(*p.finished_on);
  if (!metadata.empty()) run["metadata"] = std::move(metadata);
  return IntotoJson{{"buildDefinition", std::move(definition)}, {"runDetails", std::move(run)}};
}

core::Result<Statement> provenance_statement(std::vector<ResourceDescriptor> subjects,
                                             const Provenance& p) {
  DISTILL_ASSIGN(IntotoJson predicate, provenance_predicate(p));
  Statement s{std::move(subjects), std::string(kSlsaProvenanceV1), std::move(predicate)};
  DISTILL_TRY(statement_json(s));
  return s;
}

}  // namespace distill::sbom
