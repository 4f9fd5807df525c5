#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace distill::core {

// A regular expression in the syntax of Go's regexp package (RE2), answering
// one question: does it match somewhere in a text (Go's MatchString)? Files
// written for Go tools (container-structure-test) must match the same texts
// here, so this is a small RE2 of our own rather than std::regex, whose
// ECMAScript syntax and byte-wise `.` differ from Go's:
//
// - the text is read as UTF-8 code points (an invalid byte is one U+FFFD), so
//   `.` and `[^a]` take a whole character and `\xe9` means U+00E9;
// - `^`/`$` are the text's ends unless (?m); `.` skips '\n' unless (?s);
//   `$` never matches before a final '\n' (it is `\z`);
// - \d \w \s \b are ASCII, as in Go; [[:alpha:]] and the other POSIX classes;
// - flags (?i) (?m) (?s) (?U), scoped (?i:...), groups (...), (?:...),
//   (?P<name>...), (?<name>...); \Q...\E; repeats up to {1000}.
//
// Matching is an NFA simulation: linear in the text, no recursion, no
// backtracking, so any file content can be searched.
//
// compile() fails for what Go rejects (backreferences, lookaround, \Z, bad
// escapes) with Go's reason, and for the few valid Go constructs not
// implemented here (\p{...} Unicode classes, case folding of non-ASCII
// letters): unsupported() tells the two apart.
class GoRegex {
 public:
  static Result<GoRegex> compile(std::string_view pattern);
  // True when `e` (from compile) is a valid Go pattern that distill cannot run.
  static bool unsupported(const Error& e);

  bool search(std::string_view text) const;

  struct Inst {
    enum Op : uint8_t { kRunes, kSplit, kJmp, kAssert, kMatch };
    Op op = kMatch;
    int x = 0;                                          // kJmp/kSplit target; kAssert kind
    int y = 0;                                          // kSplit second target
    std::vector<std::pair<char32_t, char32_t>> ranges;  // kRunes: sorted, disjoint
  };

 private:
  std::vector<Inst> prog_;
};

}  // namespace distill::core
