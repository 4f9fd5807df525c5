#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::vuln {

// OpenVEX 0.2.0 (openvex.dev): statements by a supplier that a product is or
// is not affected by a vulnerability. `distill scan --vex FILE` reads them
// (docs/vulnerability-scanning.md).

inline constexpr std::string_view kOpenVexContext = "https://openvex.dev/ns/v0.2.0";

enum class VexStatus { kNotAffected, kAffected, kFixed, kUnderInvestigation };

// "not_affected", "affected", "fixed", "under_investigation".
std::string_view vex_status_name(VexStatus s);

struct VexProduct {
  std::string id;                          // "@id": a purl, or another IRI
  std::vector<std::string> subcomponents;  // their "@id"s
};

struct VexStatement {
  size_t index = 0;                  // in the document's "statements", from 0
  std::string vulnerability;         // "name" (or "@id" when there is no name)
  std::vector<std::string> aliases;  // "aliases", plus "@id" when both are given
  std::vector<VexProduct> products;
  VexStatus status = VexStatus::kUnderInvestigation;
  std::string justification;  // one of the spec's five, or ""
  std::string impact_statement;
  std::string action_statement;
  int64_t timestamp = 0;  // the statement's "last_updated", "timestamp", else the document's
};

struct VexDocument {
  std::string where;  // the file it came from, for messages
  std::string id;     // "@id"
  std::string author;
  int64_t timestamp = 0;
  std::vector<VexStatement> statements;
};

// Bounds on what one document may hold: a VEX file is input from outside.
inline constexpr size_t kMaxVexBytes = 16u << 20;
inline constexpr size_t kMaxVexStatements = 100000;
inline constexpr size_t kMaxVexProducts = 10000;  // per statement, subcomponents included

// Parses an OpenVEX 0.2.0 document. Strict where the answer changes what a
// scan reports: the context, each status and justification must be the
// spec's, a not_affected statement must say why (justification or impact
// statement), timestamps must be RFC 3339. Unknown members are left alone
// (JSON-LD documents may carry more). Errors name `where` and the statement
// ("vex.json: statement 3: ...").
core::Result<VexDocument> parse_openvex(std::string_view text, std::string_view where);

// Reads and parses the file at `path` (at most kMaxVexBytes).
core::Result<VexDocument> read_openvex(const std::string& path);

}  // namespace distill::vuln
