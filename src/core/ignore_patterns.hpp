#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::core {

// Exclude patterns with .dockerignore's syntax and semantics (moby's
// patternmatcher): each pattern is a Go filepath.Match pattern over a
// '/'-separated path relative to one root (`*` and `?` never match '/',
// `[a-z]`, `[^a-z]`, `\` escapes the next character), `**` matches any number
// of folders, a leading `!` re-includes, the last pattern that matches a path
// or one of its parent folders decides. Patterns are cleaned as Go's
// filepath.Clean does (`./`, `//`, `a/..`, leading and trailing '/').
class IgnorePatterns {
 public:
  // One pattern as written (`!` allowed). The error's `what` says what is
  // wrong; the caller sets where (file and line).
  Status add(std::string_view pattern);

  // A .dockerignore-style file: one pattern a line, surrounding white space
  // trimmed, lines starting with '#' and blank lines skipped. Errors name
  // "<where>:<line>".
  static Result<IgnorePatterns> parse(std::string_view text, const std::string& where);

  // Whether `path` (relative, '/'-separated, no "." or ".." components) is
  // excluded. The first `skip_parents` parent folders of `path` are not
  // matched as parents: a caller copying the folder "a/b" passes 2 so that a
  // pattern naming "a/b" itself does not exclude what it holds.
  bool excluded(std::string_view path, size_t skip_parents = 0) const;

  // Whether some `!` pattern could match a path below the folder `dir`: an
  // excluded folder must still be walked then (docker's rule, extended to
  // wildcard patterns).
  bool may_reinclude_below(std::string_view dir) const;

  // `other`'s patterns after these: they win where both match.
  void append(IgnorePatterns other);

  bool empty() const { return patterns_.empty(); }
  bool has_negations() const { return negations_; }

  struct Token {
    enum Kind { kLiteral, kAny, kStar, kStarStarSlash, kStarStarEnd, kClass } kind;
    std::string chars;  // kLiteral: the byte; kClass: the class body, ranges as "a-z"
    bool negated = false;
  };
  struct Pattern {
    std::string text;  // cleaned, without '!'
    bool negate = false;
    std::vector<Token> tokens;
  };

 private:
  std::vector<Pattern> patterns_;
  bool negations_ = false;
};

// Whether a Go filepath.Match-style `pattern` (with `**`, as above) matches
// the whole of `path`. An invalid pattern matches nothing.
bool ignore_pattern_matches(std::string_view pattern, std::string_view path);

}  // namespace distill::core
