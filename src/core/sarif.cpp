#include "core/sarif.hpp"

namespace distill::core::sarif {
namespace {

using SarifJson = nlohmann::ordered_json;

SarifJson rule_json(const Rule& r) {
  SarifJson j = {{"id", r.id}, {"shortDescription", {{"text", r.short_description}}}};
  if (!r.full_description.empty()) j["fullDescription"] = {{"text", r.full_description}};
  if (!r.default_level.empty()) j["defaultConfiguration"] = {{"level", r.default_level}};
  if (!r.properties.is_null()) j["properties"] = r.properties;
  return j;
}

SarifJson location_json(const ArtifactLocation& l) {
  SarifJson artifact = {{"uri", l.uri}};
  if (!l.uri_base_id.empty()) artifact["uriBaseId"] = l.uri_base_id;
  return {{"physicalLocation", {{"artifactLocation", std::move(artifact)}}}};
}

SarifJson result_json(const Result& r) {
  SarifJson j = {{"ruleId", r.rule_id},
                 {"ruleIndex", r.rule_index},
                 {"level", r.level},
                 {"message", {{"text", r.message}}}};
  if (r.locations) {
    SarifJson locations = SarifJson::array();
    for (const auto& l : *r.locations) locations.push_back(location_json(l));
    j["locations"] = std::move(locations);
  }
  if (!r.properties.is_null()) j["properties"] = r.properties;
  if (!r.suppressions.empty()) {
    SarifJson suppressions = SarifJson::array();
    for (const auto& s : r.suppressions) {
      SarifJson one = {{"kind", s.kind}};
      if (!s.status.empty()) one["status"] = s.status;
      one["justification"] = s.justification;
      suppressions.push_back(std::move(one));
    }
    j["suppressions"] = std::move(suppressions);
  }
  return j;
}

SarifJson run_json(const Run& run) {
  SarifJson driver = {{"name", run.tool_name}};
  if (!run.tool_version.empty()) {
    driver["version"] = run.tool_version;
    driver["semanticVersion"] = run.tool_version;
  }
  SarifJson rules = SarifJson::array();
  for (const auto& r : run.rules) rules.push_back(rule_json(r));
  driver["rules"] = std::move(rules);
  SarifJson j = {{"tool", {{"driver", std::move(driver)}}}};
  if (!run.automation_id.empty()) j["automationDetails"] = {{"id", run.automation_id}};
  SarifJson results = SarifJson::array();
  for (const auto& r : run.results) results.push_back(result_json(r));
  j["results"] = std::move(results);
  if (!run.properties.is_null()) j["properties"] = run.properties;
  return j;
}

}  // namespace

nlohmann::ordered_json log_json(const std::vector<Run>& runs) {
  SarifJson out = SarifJson::array();
  for (const auto& r : runs) out.push_back(run_json(r));
  return {{"version", "2.1.0"}, {"runs", std::move(out)}};
}

}  // namespace distill::core::sarif
