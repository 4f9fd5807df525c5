#pragma once

#include <string>
#include <utility>

namespace distill::core {

// One user-facing failure. Rendered as "<where>: <what> (<hint>)" so every error
// the CLI prints has the same shape, whichever layer produced it.
struct Error {
  std::string where;
  std::string what;
  std::string hint;

  std::string message() const;
  // Adds outer context: "spec.yaml" + "line 3: ..." reads better than either alone.
  Error with_where(std::string outer) const;
};

Error make_error(std::string where, std::string what, std::string hint = {});

}  // namespace distill::core
