#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::debian {

enum class RelOp { Any, Lt, Le, Eq, Ge, Gt };  // Any: no version constraint

std::string_view to_string(RelOp op);  // "", "<<", "<=", "=", ">=", ">>"

// One package name with an optional version constraint and architecture
// qualifier ("libc6:any (>= 2.34)").
struct Relation {
  std::string name;
  std::string arch_qualifier;  // "", "any", "native" or an architecture
  RelOp op = RelOp::Any;
  std::string version;

  std::string str() const;  // "libc6:any (>= 2.34)"
};

// "a | b (>= 1)": any one alternative satisfies it.
using Alternatives = std::vector<Relation>;

// Parses a Depends/Pre-Depends/Provides/Conflicts style field; whitespace,
// newlines included (folded fields), may appear between any two tokens. An
// empty or blank field yields no groups. Accepts the deprecated "<" and ">"
// (meaning <= and >=, as dpkg does). Architecture restrictions "[amd64 !i386]"
// and build profiles "<!nocheck>" belong to source package fields; here they
// are parsed (so a malformed one is still an error) and skipped, never
// evaluated. Errors name `where` and the offending text.
core::Result<std::vector<Alternatives>> parse_relations(std::string_view field,
                                                        std::string_view where);

// True when `candidate` satisfies "op required" under dpkg ordering.
bool version_satisfies(std::string_view candidate, RelOp op, std::string_view required);

}  // namespace distill::debian
