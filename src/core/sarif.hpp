#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace distill::core::sarif {

// The skeleton of a SARIF 2.1.0 (OASIS) log: runs of one tool driver with
// its rules and results. Optional members are left out of the document when
// empty (null for the JSON ones), so each producer emits only what it has.

struct Rule {
  std::string id;
  std::string short_description;
  std::string full_description;                 // omitted when empty
  std::string default_level;                    // defaultConfiguration.level; omitted when empty
  nlohmann::ordered_json properties = nullptr;  // omitted when null
};

struct ArtifactLocation {
  std::string uri;
  std::string uri_base_id;  // omitted when empty
};

struct Suppression {
  std::string kind;  // "external", "inSource"
  std::string justification;
  std::string status;  // "accepted", "underReview", "rejected"; omitted when empty
};

struct Result {
  std::string rule_id;
  size_t rule_index = 0;
  std::string level;  // "error", "warning", "note"
  std::string message;
  // Physical locations; nullopt leaves "locations" out, an empty list is written as [].
  std::optional<std::vector<ArtifactLocation>> locations;
  nlohmann::ordered_json properties = nullptr;  // omitted when null
  std::vector<Suppression> suppressions;        // omitted when empty
};

struct Run {
  std::string tool_name;
  std::string tool_version;  // version and semanticVersion; omitted when empty
  std::vector<Rule> rules;
  std::string automation_id;  // automationDetails.id; omitted when empty
  std::vector<Result> results;
  nlohmann::ordered_json properties = nullptr;  // omitted when null
};

// {"version": "2.1.0", "runs": [...]}, keys in a fixed order.
nlohmann::ordered_json log_json(const std::vector<Run>& runs);

}  // namespace distill::core::sarif
