#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

// in-toto attestation Statement v1 and the SLSA Provenance v1 predicate
// (docs/attestations.md): what a signed attestation about an image says. The
// envelope around it is core::dsse; signing happens elsewhere.
namespace distill::sbom {

inline constexpr std::string_view kInTotoStatementV1 = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
inline constexpr std::string_view kSlsaProvenanceV1 = "https://slsa.dev/provenance/v1";

// An in-toto ResourceDescriptor as subjects and dependencies use it.
struct ResourceDescriptor {
  std::string name;                           // "" leaves it out
  std::string uri;                            // "" leaves it out
  std::map<std::string, std::string> digest;  // algorithm -> lower-case hex, e.g. {"sha256": ...}
  std::map<std::string, std::string> annotations;  // empty leaves it out
};

struct Statement {
  std::vector<ResourceDescriptor> subjects;  // at least one, each with a digest
  std::string predicate_type;                // a URI, e.g. kSlsaProvenanceV1
  nlohmann::json predicate = nlohmann::json::object();
};

// {"_type", "subject", "predicateType", "predicate"}; an error when there is
// no subject, a subject has no digest, or a digest is not lower-case hex of
// its algorithm's length (sha256: 64, sha512: 128).
core::Result<nlohmann::json> statement_json(const Statement& s);
// The statement's bytes as signed: compact JSON, keys sorted, so the same
// statement is always the same payload.
core::Result<std::string> statement_payload(const Statement& s);
// Reads a statement back (a verified DSSE payload): _type must be v1.
core::Result<Statement> parse_statement(std::string_view text, std::string_view where);

// SLSA Provenance v1 (slsa.dev/spec/v1.0/provenance).
struct Provenance {
  std::string build_type;                                         // a URI
  nlohmann::json external_parameters = nlohmann::json::object();  // what the user asked for
  nlohmann::json internal_parameters = nlohmann::json::object();  // left out when empty
  std::vector<ResourceDescriptor> resolved_dependencies;
  std::string builder_id;                              // a URI
  std::map<std::string, std::string> builder_version;  // component -> version; left out when empty
  std::string invocation_id;                           // "" leaves it out
  std::optional<int64_t> started_on;                   // epoch seconds; nullopt leaves it out
  std::optional<int64_t> finished_on;
};

// Sets started_on and finished_on to SOURCE_DATE_EPOCH when it is set, so a
// reproducible build records reproducible times; leaves them out otherwise.
core::Status set_times_from_source_date_epoch(Provenance& p);

// The predicate object: {buildDefinition {buildType, externalParameters,
// internalParameters?, resolvedDependencies?}, runDetails {builder {id,
// version?}, metadata? {invocationId?, startedOn?, finishedOn?}}}. An error
// when buildType or builder id is empty or a dependency's digest is bad.
core::Result<nlohmann::json> provenance_predicate(const Provenance& p);

// A Statement of SLSA Provenance v1 about `subjects`.
core::Result<Statement> provenance_statement(std::vector<ResourceDescriptor> subjects,
                                             const Provenance& p);

}  // namespace distill::sbom
