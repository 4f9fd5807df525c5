#pragma once

#include <string>
#include <utility>

namespace distill::core {

// What kind of failure an Error is, for callers that act on it (retry, exit
// code) without reading its text. Most errors are kFailed: only what some
// caller decides on gets a code of its own.
enum class ErrorCode {
  kFailed,          // no more precise code
  kNotFound,        // a file, tag, blob, package or upload session that is not there
  kUnauthorized,    // credentials missing, wrong or without permission
  kInvalidRequest,  // the other side refused our request as malformed (HTTP 400, 416)
  kIntegrity,       // a digest, size or signature that does not verify
  kPolicyFailed,    // the command ran and found what the user asked it to fail on
  kUnavailable,     // no answer, or one cut short (refused, reset, timed out): a retry may get one
  kAborted,         // the receiver stopped a transfer (full disk, body past its limit): no retry
};

// One user-facing failure. Rendered as "<where>: <what> (<hint>)" so every error
// the CLI prints has the same shape, whichever layer produced it.
struct Error {
  std::string where;
  std::string what;
  std::string hint;
  ErrorCode code = ErrorCode::kFailed;

  std::string message() const;
  // Adds outer context: "spec.yaml" + "line 3: ..." reads better than either alone.
  Error with_where(std::string outer) const;
  // make_error(...).with_code(ErrorCode::kNotFound) for the errors callers act on.
  Error with_code(ErrorCode c) const;
};

Error make_error(std::string where, std::string what, std::string hint = {});

}  // namespace distill::core
