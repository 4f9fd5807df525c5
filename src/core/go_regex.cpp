#include "core/go_regex.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace distill::core {
namespace {

using Ranges = std::vector<std::pair<char32_t, char32_t>>;

constexpr char32_t kMaxRune = 0x10FFFF;
constexpr char32_t kNoRune = 0xFFFFFFFF;  // before the text's start, after its end
constexpr int kMaxRepeat = 1000;          // Go's limit for {n,m}
constexpr size_t kMaxProgram = 200000;    // instructions; far above what test files use
constexpr int kMaxDepth = 1000;           // nested groups
const char* const kUnsupportedHint = "valid in Go, not supported by distill";

enum AssertKind { kBeginText, kEndText, kBeginLine, kEndLine, kWordBoundary, kNotWordBoundary };

// Decodes one code point as Go does: an invalid or truncated sequence is one
// U+FFFD of width 1. Returns the width.
int decode_utf8(std::string_view s, size_t pos, char32_t& out) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[pos + i]); };
  const unsigned char c0 = b(0);
  out = 0xFFFD;
  if (c0 < 0x80) {
    out = c0;
    return 1;
  }
  int len = c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC0 ? 2 : 0;
  if (len == 0 || c0 > 0xF4 || pos + len > s.size()) return 1;
  char32_t v = c0 & (0x7F >> len);
  for (int i = 1; i < len; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 1;
    v = (v << 6) | (b(i) & 0x3F);
  }
  static const char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[len] || v > kMaxRune || (v >= 0xD800 && v <= 0xDFFF)) return 1;
  out = v;
  return len;
}

bool is_word(char32_t c) {
  return c < 0x80 && (std::isalnum(static_cast<int>(c)) || c == '_');
}

void normalize(Ranges& r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (const auto& x : r) {
    if (!out.empty() && x.first <= out.back().second + 1)
      out.back().second = std::max(out.back().second, x.second);
    else
      out.push_back(x);
  }
  r = std::move(out);
}

Ranges complement(Ranges r) {
  normalize(r);
  Ranges out;
  char32_t next = 0;
  for (const auto& [lo, hi] : r) {
    if (lo > next) out.emplace_back(next, lo - 1);
    next = hi + 1;
  }
  if (next <= kMaxRune) out.emplace_back(next, kMaxRune);
  return out;
}

bool in_ranges(const Ranges& r, char32_t c) {
  auto it = std::upper_bound(r.begin(), r.end(), std::make_pair(c, kNoRune));
  return it != r.begin() && std::prev(it)->second >= c;
}

struct Node {
  enum Kind { kEmpty, kRunes, kAssert, kConcat, kAlt, kRepeat };
  Kind kind = kEmpty;
  Ranges ranges;
  int assert_kind = 0;
  std::vector<Node> kids;
  int min = 0, max = 0;  // kRepeat; max -1 = unbounded
};

struct Flags {
  bool fold = false;       // i
  bool multiline = false;  // m
  bool dot_nl = false;     // s
};

// Go's POSIX classes, ASCII only.
std::optional<Ranges> posix_class(std::string_view name) {
  static const std::vector<std::pair<std::string_view, Ranges>> kClasses = {
      {"alnum", {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}}},
      {"alpha", {{'A', 'Z'}, {'a', 'z'}}},
      {"ascii", {{0, 0x7F}}},
      {"blank", {{'\t', '\t'}, {' ', ' '}}},
      {"cntrl", {{0, 0x1F}, {0x7F, 0x7F}}},
      {"digit", {{'0', '9'}}},
      {"graph", {{'!', '~'}}},
      {"lower", {{'a', 'z'}}},
      {"print", {{' ', '~'}}},
      {"punct", {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}}},
      {"space", {{'\t', '\r'}, {' ', ' '}}},
      {"upper", {{'A', 'Z'}}},
      {"word", {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}, {'_', '_'}}},
      {"xdigit", {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}},
  };
  for (const auto& [n, r] : kClasses)
    if (n == name) return r;
  return std::nullopt;
}

// \d \s \w and their negations (ASCII, as in Go).
std::optional<Ranges> perl_class(char c) {
  Ranges r;
  switch (c | 0x20) {
    case 'd':
      r = {{'0', '9'}};
      break;
    case 's':
      r = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};
      break;
    case 'w':
      r = *posix_class("word");
      break;
    default:
      return std::nullopt;
  }
  return (c >= 'A' && c <= 'Z') ? complement(r) : r;
}

class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  Result<Node> parse() {
    Flags f;
    DISTILL_ASSIGN(Node n, alternation(f));
    if (pos_ < p_.size()) return invalid("unexpected )");
    return n;
  }

 private:
  Error invalid(std::string what) const { return make_error("", std::move(what)); }
  Error unsupported(std::string what) const {
    return make_error("", std::move(what), kUnsupportedHint);
  }

  bool at_end() const { return pos_ >= p_.size(); }
  char peek(size_t ahead = 0) const { return pos_ + ahead < p_.size() ? p_[pos_ + ahead] : '\0'; }

  Result<char32_t> next_rune() {
    char32_t c;
    int w = decode_utf8(p_, pos_, c);
    if (c == 0xFFFD && w == 1 && static_cast<unsigned char>(p_[pos_]) >= 0x80)
      return invalid("invalid UTF-8");
    pos_ += w;
    return c;
  }

  Result<Node> alternation(Flags& f) {
    if (++depth_ > kMaxDepth) return unsupported("groups nested too deeply");
    Node alt;
    alt.kind = Node::kAlt;
    while (true) {
      DISTILL_ASSIGN(Node c, concat(f));
      alt.kids.push_back(std::move(c));
      if (peek() != '|' || at_end()) break;
      ++pos_;
    }
    --depth_;
    if (alt.kids.size() == 1) return std::move(alt.kids[0]);
    return alt;
  }

  // {n}, {n,}, {n,m} at pos_; nullopt when the text is not a repeat (then '{' is literal).
  std::optional<std::pair<int, int>> repeat_at(size_t& end) const {
    size_t i = pos_ + 1;
    auto number = [&](int& v) {
      size_t start = i;
      v = 0;
      while (i < p_.size() && p_[i] >= '0' && p_[i] <= '9') {
        v = std::min(v * 10 + (p_[i] - '0'), 100000);
        ++i;
      }
      return i > start;
    };
    int lo = 0, hi = 0;
    if (!number(lo)) return std::nullopt;
    hi = lo;
    if (i < p_.size() && p_[i] == ',') {
      ++i;
      if (i < p_.size() && p_[i] == '}')
        hi = -1;
      else if (!number(hi))
        return std::nullopt;
    }
    if (i >= p_.size() || p_[i] != '}') return std::nullopt;
    end = i + 1;
    return std::make_pair(lo, hi);
  }

  // A quantifier at pos_: its bounds, with pos_ moved past it (and a lazy '?').
  Result<std::optional<std::pair<int, int>>> quantifier() {
    std::optional<std::pair<int, int>> q;
    size_t start = pos_;
    char c = peek();
    if (c == '*') q = {0, -1};
    if (c == '+') q = {1, -1};
    if (c == '?') q = {0, 1};
    if (q) {
      ++pos_;
    } else if (c == '{') {
      size_t end = 0;
      q = repeat_at(end);
      if (!q) return std::optional<std::pair<int, int>>();
      if (q->first > kMaxRepeat || q->second > kMaxRepeat ||
          (q->second >= 0 && q->second < q->first))
        return invalid(fmt::format("invalid repeat count: `{}`", p_.substr(start, end - start)));
      pos_ = end;
    } else {
      return std::optional<std::pair<int, int>>();
    }
    if (peek() == '?') ++pos_;  // lazy: the same set of matches
    return q;
  }

  Result<Node> concat(Flags& f) {
    Node cat;
    cat.kind = Node::kConcat;
    while (!at_end() && peek() != '|' && peek() != ')') {
      size_t start = pos_;
      DISTILL_ASSIGN(std::optional<Node> atom, this->atom(f));
      if (!atom) continue;  // a flag group
      bool repeated = false;
      while (true) {
        DISTILL_ASSIGN(auto q, quantifier());
        if (!q) break;
        if (repeated)
          return invalid(fmt::format("invalid nested repetition operator: `{}`",
                                     p_.substr(start, pos_ - start)));
        repeated = true;
        Node r;
        r.kind = Node::kRepeat;
        r.min = q->first;
        r.max = q->second;
        r.kids.push_back(std::move(*atom));
        atom = std::move(r);
      }
      cat.kids.push_back(std::move(*atom));
    }
    if (cat.kids.size() == 1) return std::move(cat.kids[0]);
    if (cat.kids.empty()) return Node{};
    return cat;
  }

  Node runes(Ranges r, const Flags& f) const {
    if (f.fold) {
      Ranges extra;
      for (const auto& [lo, hi] : r)
        for (char32_t c = std::max<char32_t>(lo, 'A'); c <= std::min<char32_t>(hi, 'z'); ++c)
          if (std::isalpha(static_cast<int>(c))) extra.emplace_back(c ^ 0x20, c ^ 0x20);
      r.insert(r.end(), extra.begin(), extra.end());
    }
    normalize(r);
    Node n;
    n.kind = Node::kRunes;
    n.ranges = std::move(r);
    return n;
  }

  // Folding is ASCII only here: refuse a non-ASCII letter under (?i).
  Status check_fold(const Ranges& r, const Flags& f, size_t start) const {
    if (!f.fold) return Status::Ok();
    for (const auto& range : r)
      if (range.second >= 0x80)
        return unsupported(fmt::format("case-insensitive match of non-ASCII text `{}`",
                                       p_.substr(start, pos_ - start)));
    return Status::Ok();
  }

  Node assertion(int kind) const {
    Node n;
    n.kind = Node::kAssert;
    n.assert_kind = kind;
    return n;
  }

  Result<std::optional<Node>> atom(Flags& f) {
    size_t start = pos_;
    char c = peek();
    switch (c) {
      case '(':
        return group(f);
      case '[': {
        DISTILL_ASSIGN(Ranges r, char_class(f));
        return std::optional<Node>(runes(std::move(r), f));
      }
      case '.':
        ++pos_;
        return std::optional<Node>(
            runes(f.dot_nl ? Ranges{{0, kMaxRune}} : Ranges{{0, '\n' - 1}, {'\n' + 1, kMaxRune}},
                  Flags{}));
      case '^':
        ++pos_;
        return std::optional<Node>(assertion(f.multiline ? kBeginLine : kBeginText));
      case '$':
        ++pos_;
        return std::optional<Node>(assertion(f.multiline ? kEndLine : kEndText));
      case '*':
      case '+':
      case '?':
        return invalid(fmt::format("missing argument to repetition operator: `{}`", c));
      case '{': {
        size_t end = 0;
        if (repeat_at(end))
          return invalid(fmt::format("missing argument to repetition operator: `{}`",
                                     p_.substr(pos_, end - pos_)));
        ++pos_;
        return std::optional<Node>(runes({{'{', '{'}}, f));
      }
      case '\\':
        return escape(f);
      default:
        break;
    }
    DISTILL_ASSIGN(char32_t r, next_rune());
    Ranges rs = {{r, r}};
    DISTILL_TRY(check_fold(rs, f, start));
    return std::optional<Node>(runes(std::move(rs), f));
  }

  // After "(?": flags like "i", "-s", "im-s", ended by ')' or ':'.
  Result<std::optional<Node>> flag_group(Flags& f, size_t start) {
    Flags g = f;
    bool negate = false, any = false, after_minus = false;
    while (!at_end()) {
      char c = p_[pos_++];
      switch (c) {
        case 'i':
          g.fold = !negate;
          break;
        case 'm':
          g.multiline = !negate;
          break;
        case 's':
          g.dot_nl = !negate;
          break;
        case 'U':
          break;  // ungreedy: the same set of matches
        case '-':
          if (negate) goto bad;
          negate = true;
          after_minus = false;
          continue;
        case ')':
        case ':':
          if ((negate && !after_minus) || (!any && !negate && c == ')')) goto bad;
          if (c == ')') {
            f = g;
            return std::optional<Node>();
          }
          {
            DISTILL_ASSIGN(Node n, alternation(g));
            if (peek() != ')' || at_end()) return invalid("missing closing )");
            ++pos_;
            return std::optional<Node>(std::move(n));
          }
        default:
          goto bad;
      }
      any = true;
      after_minus = negate;
    }
  bad:
    return invalid(fmt::format("invalid or unsupported Perl syntax: `{}`",
                               p_.substr(start, std::min(pos_, p_.size()) - start)));
  }

  Result<std::optional<Node>> group(Flags& f) {
    size_t start = pos_;
    ++pos_;  // '('
    if (peek() == '?') {
      bool named = peek(1) == '<' || (peek(1) == 'P' && peek(2) == '<');
      if (!named) {
        pos_ += 1;
        if (peek() == '=' || peek() == '!' || peek() == '<' || peek() == 'P' || peek() == '#') {
          ++pos_;
          return invalid(fmt::format("invalid or unsupported Perl syntax: `{}`",
                                     p_.substr(start, pos_ - start)));
        }
        return flag_group(f, start);
      }
      pos_ += peek(1) == '<' ? 2 : 3;
      size_t name_start = pos_;
      while (!at_end() && is_word(static_cast<unsigned char>(peek()))) ++pos_;
      if (peek() != '>' || pos_ == name_start)
        return invalid(fmt::format("invalid named capture: `{}`", p_.substr(start)));
      ++pos_;
    }
    Flags inner = f;  // flags set inside end with the group
    DISTILL_ASSIGN(Node n, alternation(inner));
    if (at_end() || peek() != ')') return invalid(fmt::format("missing closing ): `{}`", p_));
    ++pos_;
    return std::optional<Node>(std::move(n));
  }

  // The escape after a backslash that stands for one rune (outside or inside a class).
  Result<char32_t> escaped_rune(size_t start) {
    char c = p_[pos_++];
    auto bad = [&] {
      return invalid(fmt::format("invalid escape sequence: `{}`", p_.substr(start, pos_ - start)));
    };
    switch (c) {
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        // A lone digit would be a backreference, which RE2 does not have.
        if (peek() < '0' || peek() > '7') return bad();
        [[fallthrough]];
      case '0': {
        char32_t v = c - '0';
        for (int i = 0; i < 2 && peek() >= '0' && peek() <= '7'; ++i)
          v = v * 8 + (p_[pos_++] - '0');
        return v;
      }
      case 'x': {
        auto hex = [](char h) {
          return h >= '0' && h <= '9'                     ? h - '0'
                 : (h | 0x20) >= 'a' && (h | 0x20) <= 'f' ? (h | 0x20) - 'a' + 10
                                                          : -1;
        };
        char32_t v = 0;
        if (peek() == '{') {
          ++pos_;
          int digits = 0;
          while (!at_end() && hex(peek()) >= 0) {
            v = v * 16 + hex(p_[pos_++]);
            if (v > kMaxRune) return bad();
            ++digits;
          }
          if (peek() != '}' || digits == 0) return bad();
          ++pos_;
          return v;
        }
        for (int i = 0; i < 2; ++i) {
          if (at_end() || hex(peek()) < 0) return bad();
          v = v * 16 + hex(p_[pos_++]);
        }
        return v;
      }
      case 'a':
        return char32_t(7);
      case 'f':
        return char32_t('\f');
      case 't':
        return char32_t('\t');
      case 'n':
        return char32_t('\n');
      case 'r':
        return char32_t('\r');
      case 'v':
        return char32_t('\v');
      default:
        break;
    }
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x80 && !std::isalnum(u)) return char32_t(u);
    if (u >= 0x80) --pos_;
    return bad();
  }

  Result<std::optional<Node>> escape(Flags& f) {
    size_t start = pos_;
    ++pos_;
    if (at_end()) return invalid("trailing backslash at end of expression");
    char c = peek();
    switch (c) {
      case 'A':
        ++pos_;
        return std::optional<Node>(assertion(kBeginText));
      case 'z':
        ++pos_;
        return std::optional<Node>(assertion(kEndText));
      case 'b':
        ++pos_;
        return std::optional<Node>(assertion(kWordBoundary));
      case 'B':
        ++pos_;
        return std::optional<Node>(assertion(kNotWordBoundary));
      case 'p':
      case 'P':
        return unsupported(fmt::format("Unicode class `{}`",
                                       p_.substr(start, std::min<size_t>(p_.size() - start, 12))));
      case 'Q': {
        ++pos_;
        size_t end = p_.find("\\E", pos_);
        std::string_view lit = p_.substr(pos_, end == std::string_view::npos ? end : end - pos_);
        pos_ = end == std::string_view::npos ? p_.size() : end + 2;
        Node cat;
        cat.kind = Node::kConcat;
        for (size_t i = 0; i < lit.size();) {
          char32_t r;
          i += decode_utf8(lit, i, r);
          Ranges rs = {{r, r}};
          DISTILL_TRY(check_fold(rs, f, start));
          cat.kids.push_back(runes(rs, f));
        }
        return std::optional<Node>(std::move(cat));
      }
      default:
        break;
    }
    if (auto cls = perl_class(c)) {
      ++pos_;
      return std::optional<Node>(runes(*cls, f));
    }
    DISTILL_ASSIGN(char32_t r, escaped_rune(start));
    Ranges rs = {{r, r}};
    DISTILL_TRY(check_fold(rs, f, start));
    return std::optional<Node>(runes(std::move(rs), f));
  }

  Result<char32_t> class_rune() {
    size_t start = pos_;
    if (peek() == '\\') {
      ++pos_;
      if (at_end()) return invalid("trailing backslash at end of expression");
      return escaped_rune(start);
    }
    return next_rune();
  }

  Result<Ranges> char_class(const Flags& f) {
    size_t start = pos_;
    ++pos_;  // '['
    bool negate = peek() == '^';
    if (negate) ++pos_;
    Ranges r;
    bool first = true;
    while (true) {
      if (at_end()) return invalid(fmt::format("missing closing ]: `{}`", p_.substr(start)));
      char c = peek();
      if (c == ']' && !first) break;
      first = false;
      if (c == '[' && peek(1) == ':') {
        size_t end = p_.find(":]", pos_ + 2);
        if (end != std::string_view::npos) {
          std::string_view name = p_.substr(pos_ + 2, end - pos_ - 2);
          bool neg = name.starts_with('^');
          if (neg) name.remove_prefix(1);
          auto cls = posix_class(name);
          if (!cls)
            return invalid(fmt::format("invalid character class range: `{}`",
                                       p_.substr(pos_, end + 2 - pos_)));
          Ranges add = neg ? complement(*cls) : *cls;
          r.insert(r.end(), add.begin(), add.end());
          pos_ = end + 2;
          continue;
        }
      }
      if (c == '\\' && (peek(1) == 'p' || peek(1) == 'P'))
        return unsupported(fmt::format("Unicode class in `{}`", p_.substr(start)));
      if (c == '\\' && perl_class(peek(1))) {
        Ranges add = *perl_class(peek(1));
        r.insert(r.end(), add.begin(), add.end());
        pos_ += 2;
        continue;
      }
      size_t item_start = pos_;
      DISTILL_ASSIGN(char32_t lo, class_rune());
      char32_t hi = lo;
      if (peek() == '-' && peek(1) != ']' && pos_ + 1 < p_.size()) {
        ++pos_;
        DISTILL_ASSIGN(hi, class_rune());
        if (hi < lo)
          return invalid(fmt::format("invalid character class range: `{}`",
                                     p_.substr(item_start, pos_ - item_start)));
      }
      r.emplace_back(lo, hi);
    }
    ++pos_;  // ']'
    Ranges items = r;
    DISTILL_TRY(check_fold(items, f, start));
    if (f.fold) r = runes(r, f).ranges;
    return negate ? complement(std::move(r)) : (normalize(r), r);
  }

  std::string_view p_;
  size_t pos_ = 0;
  int depth_ = 0;
};

class Compiler {
 public:
  using Inst = GoRegex::Inst;

  Status emit(const Node& n) {
    if (prog.size() > kMaxProgram) return make_error("", "expression too large", kUnsupportedHint);
    switch (n.kind) {
      case Node::kEmpty:
        break;
      case Node::kRunes: {
        Inst i;
        i.op = Inst::kRunes;
        i.ranges = n.ranges;
        prog.push_back(std::move(i));
        break;
      }
      case Node::kAssert:
        add(Inst::kAssert, n.assert_kind);
        break;
      case Node::kConcat:
        for (const auto& k : n.kids) DISTILL_TRY(emit(k));
        break;
      case Node::kAlt: {
        std::vector<size_t> jumps;
        for (size_t k = 0; k < n.kids.size(); ++k) {
          size_t split = 0;
          if (k + 1 < n.kids.size()) split = add(Inst::kSplit, int(prog.size() + 1));
          DISTILL_TRY(emit(n.kids[k]));
          if (k + 1 < n.kids.size()) {
            jumps.push_back(add(Inst::kJmp, 0));
            prog[split].y = int(prog.size());
          }
        }
        for (size_t j : jumps) prog[j].x = int(prog.size());
        break;
      }
      case Node::kRepeat: {
        for (int k = 0; k < n.min; ++k) DISTILL_TRY(emit(n.kids[0]));
        if (n.max < 0) {
          size_t loop = add(Inst::kSplit, int(prog.size() + 1));
          DISTILL_TRY(emit(n.kids[0]));
          add(Inst::kJmp, int(loop));
          prog[loop].y = int(prog.size());
        } else {
          std::vector<size_t> splits;
          for (int k = n.min; k < n.max; ++k) {
            splits.push_back(add(Inst::kSplit, int(prog.size() + 1)));
            DISTILL_TRY(emit(n.kids[0]));
          }
          for (size_t s : splits) prog[s].y = int(prog.size());
        }
        break;
      }
    }
    return Status::Ok();
  }

  size_t add(Inst::Op op, int x) {
    Inst i;
    i.op = op;
    i.x = x;
    prog.push_back(std::move(i));
    return prog.size() - 1;
  }

  std::vector<Inst> prog;
};

bool assertion_holds(int kind, char32_t prev, char32_t cur) {
  switch (kind) {
    case kBeginText:
      return prev == kNoRune;
    case kEndText:
      return cur == kNoRune;
    case kBeginLine:
      return prev == kNoRune || prev == '\n';
    case kEndLine:
      return cur == kNoRune || cur == '\n';
    case kWordBoundary:
      return is_word(prev) != is_word(cur);
    case kNotWordBoundary:
      return is_word(prev) == is_word(cur);
    default:
      return false;
  }
}

}  // namespace

Result<GoRegex> GoRegex::compile(std::string_view pattern) {
  Parser parser(pattern);
  auto node = parser.parse();
  if (!node.ok()) return node.error();
  Compiler c;
  DISTILL_TRY(c.emit(*node));
  c.add(Inst::kMatch, 0);
  GoRegex re;
  re.prog_ = std::move(c.prog);
  return re;
}

bool GoRegex::unsupported(const Error& e) {
  return e.hint == kUnsupportedHint;
}

bool GoRegex::search(std::string_view text) const {
  const size_t n = prog_.size();
  std::vector<uint32_t> mark(n, 0);
  uint32_t gen = 0;
  std::vector<int> seeds, runes, stack;
  char32_t prev = kNoRune;
  size_t pos = 0;
  while (true) {
    char32_t cur = kNoRune;
    int width = 0;
    if (pos < text.size()) width = decode_utf8(text, pos, cur);
    ++gen;
    runes.clear();
    auto push = [&](int pc) {
      if (mark[pc] == gen) return;
      mark[pc] = gen;
      stack.push_back(pc);
    };
    for (int s : seeds) push(s);
    push(0);  // unanchored: a match may start here
    while (!stack.empty()) {
      int pc = stack.back();
      stack.pop_back();
      const Inst& in = prog_[pc];
      switch (in.op) {
        case Inst::kMatch:
          return true;
        case Inst::kJmp:
          push(in.x);
          break;
        case Inst::kSplit:
          push(in.y);
          push(in.x);
          break;
        case Inst::kAssert:
          if (assertion_holds(in.x, prev, cur)) push(pc + 1);
          break;
        case Inst::kRunes:
          runes.push_back(pc);
          break;
      }
    }
    if (cur == kNoRune) return false;
    seeds.clear();
    for (int pc : runes)
      if (in_ranges(prog_[pc].ranges, cur)) seeds.push_back(pc + 1);
    prev = cur;
    pos += width;
  }
}

}  // namespace distill::core
