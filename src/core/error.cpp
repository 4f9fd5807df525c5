#include "core/error.hpp"

namespace distill::core {

std::string Error::message() const {
  std::string out;
  if (!where.empty()) out += where + ": ";
  out += what;
  if (!hint.empty()) out += " (" + hint + ")";
  return out;
}

Error Error::with_where(std::string outer) const {
  Error e = *this;
  e.where = where.empty() ? std::move(outer) : outer + ": " + where;
  return e;
}

Error Error::with_code(ErrorCode c) const {
  Error e = *this;
  e.code = c;
  return e;
}

Error make_error(std::string where, std::string what, std::string hint) {
  return Error{std::move(where), std::move(what), std::move(hint), ErrorCode::kFailed};
}

}  // namespace distill::core
