#include "core/ignore_patterns.hpp"

#include <fmt/format.h>

#include "core/lines.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"

namespace distill::core {
namespace {

using Token = IgnorePatterns::Token;

// Go's filepath.Clean: "." and empty components dropped, "x/.." removed,
// ".." kept where nothing is left to remove (dropped at the root).
std::string clean_pattern(std::string_view p) {
  bool rooted = p.starts_with('/');
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    std::string_view c = p.substr(start, end - start);
    start = end + 1;
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!out.empty() && out.back() != "..") {
        out.pop_back();
        continue;
      }
      if (rooted) continue;
    }
    out.push_back(c);
  }
  std::string joined;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) joined += '/';
    joined += out[i];
  }
  if (rooted) return "/" + joined;
  return joined.empty() ? "." : joined;
}

// One UTF-8 character at s[i]: its code point and length (a stray byte is
// one character, as Go's decoder reports it).
std::pair<char32_t, size_t> decode(std::string_view s, size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 1;
  if (i + len > s.size()) return {b, 1};
  char32_t cp = len == 1 ? b : b & (0x7f >> len);
  for (size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xc0) != 0x80) return {b, 1};
    cp = (cp << 6) | (c & 0x3f);
  }
  return {cp, len};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// A class character as Go's getEsc reads it: '\' escapes, '-' and ']' may
// not start a range end.
Result<char32_t> class_char(std::string_view p, size_t& i) {
  if (i >= p.size() || p[i] == '-' || p[i] == ']')
    return make_error("", "a character class is empty or has a bad range");
  if (p[i] == '\\') {
    ++i;
    if (i >= p.size()) return make_error("", "a character class ends in '\\'");
  }
  auto [cp, len] = decode(p, i);
  i += len;
  return cp;
}

// `p[i]` is '['; reads the class up to its ']' into `t` (ranges stored as
// pairs of UTF-8 characters).
Status read_class(std::string_view p, size_t& i, Token& t) {
  ++i;
  if (i < p.size() && p[i] == '^') {
    t.negated = true;
    ++i;
  }
  size_t ranges = 0;
  while (true) {
    if (i >= p.size()) return make_error("", "'[' has no closing ']'");
    if (p[i] == ']' && ranges > 0) {
      ++i;
      return Status::Ok();
    }
    DISTILL_ASSIGN(char32_t lo, class_char(p, i));
    char32_t hi = lo;
    if (i < p.size() && p[i] == '-') {
      ++i;
      DISTILL_ASSIGN(hi, class_char(p, i));
    }
    append_utf8(t.chars, lo);
    append_utf8(t.chars, hi);
    ++ranges;
  }
}

// The pattern as tokens, as moby's patternmatcher compiles it to a regexp.
Result<std::vector<Token>> compile(std::string_view p) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '*') {
      ++i;
      if (i < p.size() && p[i] == '*') {
        ++i;
        if (i < p.size() && p[i] == '/') ++i;  // "**/" is "**"
        out.push_back({i == p.size() ? Token::kStarStarEnd : Token::kStarStarSlash, {}});
      } else {
        out.push_back({Token::kStar, {}});
      }
    } else if (c == '?') {
      out.push_back({Token::kAny, {}});
      ++i;
    } else if (c == '[') {
      Token t{Token::kClass, {}};
      DISTILL_TRY(read_class(p, i, t));
      out.push_back(std::move(t));
    } else if (c == '\\') {
      if (i + 1 >= p.size()) return make_error("", "the pattern ends in '\\'");
      out.push_back({Token::kLiteral, std::string(1, p[i + 1])});
      i += 2;
    } else {
      out.push_back({Token::kLiteral, std::string(1, c)});
      ++i;
    }
  }
  return out;
}

bool class_matches(const Token& t, char32_t cp) {
  bool in = false;
  for (size_t k = 0; k < t.chars.size();) {
    auto [lo, n1] = decode(t.chars, k);
    auto [hi, n2] = decode(t.chars, k + n1);
    k += n1 + n2;
    if (lo <= cp && cp <= hi) in = true;
  }
  return in != t.negated;
}

// reach[i]: whether all of `s` is consumed after the first i tokens matched a
// prefix of it. Sets of positions, one token at a time: linear in the
// pattern times the path, whatever the stars.
std::vector<bool> reach_end(const std::vector<Token>& tokens, std::string_view s) {
  size_t n = s.size();
  std::vector<char> cur(n + 1, 0), next(n + 1, 0);
  cur[0] = 1;
  std::vector<bool> out(tokens.size() + 1, false);
  for (size_t ti = 0; ti < tokens.size(); ++ti) {
    out[ti] = cur[n];
    std::fill(next.begin(), next.end(), 0);
    const Token& t = tokens[ti];
    bool any = false;
    for (size_t pos = 0; pos <= n; ++pos) {
      // Runs of stars carry a live position forward.
      if (t.kind == Token::kStar) {
        any = cur[pos] || (any && pos > 0 && s[pos - 1] != '/');
        if (any) next[pos] = 1;
        continue;
      }
      if (t.kind == Token::kStarStarEnd) {
        any = any || cur[pos];
        if (any) next[pos] = 1;
        continue;
      }
      if (t.kind == Token::kStarStarSlash) {
        any = any || cur[pos];
        if (cur[pos] || (any && pos > 0 && s[pos - 1] == '/')) next[pos] = 1;
        continue;
      }
      if (!cur[pos] || pos == n) continue;
      if (t.kind == Token::kLiteral) {
        if (s[pos] == t.chars[0]) next[pos + 1] = 1;
        continue;
      }
      auto [cp, len] = decode(s, pos);
      if (cp == '/') continue;
      if (t.kind == Token::kAny || class_matches(t, cp)) next[pos + len] = 1;
    }
    std::swap(cur, next);
  }
  out[tokens.size()] = cur[n];
  return out;
}

bool matches(const std::vector<Token>& tokens, std::string_view s) {
  return reach_end(tokens, s).back();
}

}  // namespace

Status IgnorePatterns::add(std::string_view pattern) {
  std::string_view p = trim_space(pattern);
  if (p.empty()) return make_error("", "empty pattern");
  bool negate = p.front() == '!';
  if (negate) {
    p = trim_space(p.substr(1));
    if (p.empty()) return make_error("", "'!' needs a pattern after it");
  }
  std::string cleaned = clean_pattern(p);
  if (cleaned.size() > 1 && cleaned.front() == '/') cleaned.erase(0, 1);
  auto tokens = compile(cleaned);
  if (!tokens.ok())
    return make_error("", fmt::format("bad pattern '{}': {}", pattern, tokens.error().what),
                      "patterns are Go filepath.Match patterns, with ** for any folders");
  patterns_.push_back({cleaned, negate, std::move(*tokens)});
  negations_ = negations_ || negate;
  return Status::Ok();
}

void IgnorePatterns::append(IgnorePatterns other) {
  for (Pattern& p : other.patterns_) patterns_.push_back(std::move(p));
  negations_ = negations_ || other.negations_;
}

Result<IgnorePatterns> IgnorePatterns::parse(std::string_view text, const std::string& where) {
  IgnorePatterns out;
  int n = 0;
  for (std::string_view line : lines(text)) {
    ++n;
    if (n == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    // As docker reads it: '#' starts a comment only in the first column.
    if (line.starts_with('#') || trim_space(line).empty()) continue;
    Status st = out.add(line);
    if (!st.ok()) return st.error().with_where(fmt::format("{}:{}", where, n));
  }
  return out;
}

bool IgnorePatterns::excluded(std::string_view path, size_t skip_parents) const {
  // The parent folders that count, shortest first.
  std::vector<std::string_view> parents;
  size_t depth = 0;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '/') continue;
    if (++depth > skip_parents) parents.push_back(path.substr(0, i));
  }
  bool matched = false;
  for (const Pattern& p : patterns_) {
    // Only a pattern that would change the answer is tried.
    if (p.negate != matched) continue;
    bool match = matches(p.tokens, path);
    for (size_t i = 0; !match && i < parents.size(); ++i) match = matches(p.tokens, parents[i]);
    if (match) matched = !p.negate;
  }
  return matched;
}

bool IgnorePatterns::may_reinclude_below(std::string_view dir) const {
  if (!negations_) return false;
  std::string prefix = std::string(dir) + "/";
  for (const Pattern& p : patterns_) {
    if (!p.negate) continue;
    for (bool alive : reach_end(p.tokens, prefix))
      if (alive) return true;
    // A pattern naming the folder or one above it re-includes all below.
    for (size_t i = 0; i <= dir.size(); ++i)
      if ((i == dir.size() || dir[i] == '/') && matches(p.tokens, dir.substr(0, i))) return true;
  }
  return false;
}

bool ignore_pattern_matches(std::string_view pattern, std::string_view path) {
  auto tokens = compile(pattern);
  return tokens.ok() && matches(*tokens, path);
}

}  // namespace distill::core
