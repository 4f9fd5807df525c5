#include "vuln/version_pep440.hpp"

#include <tuple>

#include "core/strings.hpp"
#include "core/text.hpp"

namespace distill::vuln {
namespace {

constexpr size_t kMaxPep440Length = 256;

bool pep_digit(char c) {
  return c >= '0' && c <= '9';
}

bool pep_alpha(char c) {
  return c >= 'a' && c <= 'z';
}

bool pep_separator(char c) {
  return c == '.' || c == '-' || c == '_';
}

// A cursor over the lower-cased text.
struct PepCursor {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i >= s.size(); }
  std::string digits() {
    size_t start = i;
    while (i < s.size() && pep_digit(s[i])) ++i;
    return std::string(s.substr(start, i - start));
  }
  std::string letters() {
    size_t start = i;
    while (i < s.size() && pep_alpha(s[i])) ++i;
    return std::string(s.substr(start, i - start));
  }
  void skip_separator() {
    if (i < s.size() && pep_separator(s[i])) ++i;
  }
};

std::string pre_spelling(const std::string& word) {
  if (word == "a" || word == "alpha") return "a";
  if (word == "b" || word == "beta") return "b";
  if (word == "rc" || word == "c" || word == "pre" || word == "preview") return "rc";
  return "";
}

bool is_post_word(const std::string& word) {
  return word == "post" || word == "rev" || word == "r";
}

// The optional number after a pre/post/dev word: an omitted one is 0.
std::string pep_number(PepCursor& c) {
  size_t save = c.i;
  c.skip_separator();
  std::string n = c.digits();
  if (n.empty()) {
    c.i = save;
    return "0";
  }
  return n;
}

int compare_release(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < a.size() || i < b.size(); ++i) {
    std::string_view x = i < a.size() ? std::string_view(a[i]) : "0";
    std::string_view y = i < b.size() ? std::string_view(b[i]) : "0";
    if (int c = core::compare_decimal(x, y)) return c;
  }
  return 0;
}

// The pre-release part as a rank: dev-only releases before every pre-release,
// a final (or post) release after them.
int pre_rank(const Pep440Version& v) {
  if (!v.pre_kind.empty()) return v.pre_kind == "a" ? 1 : (v.pre_kind == "b" ? 2 : 3);
  if (!v.post && v.dev) return 0;
  return 4;
}

bool all_pep_digits(const std::string& s) {
  for (char c : s)
    if (!pep_digit(c)) return false;
  return !s.empty();
}

int compare_local(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    bool an = all_pep_digits(a[i]), bn = all_pep_digits(b[i]);
    if (an && bn) {
      if (int c = core::compare_decimal(a[i], b[i])) return c;
    } else if (an != bn) {
      return an ? 1 : -1;
    } else if (a[i] != b[i]) {
      return a[i] < b[i] ? -1 : 1;
    }
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

int compare_optional_number(const std::optional<std::string>& a,
                            const std::optional<std::string>& b, int absent) {
  if (a && b) return core::compare_decimal(*a, *b);
  if (!a && !b) return 0;
  return a ? -absent : absent;
}

}  // namespace

std::optional<Pep440Version> parse_pep440(std::string_view text) {
  std::string lower = core::ascii_lower(core::trim_space(text));
  if (lower.empty() || lower.size() > kMaxPep440Length) return std::nullopt;
  PepCursor c{lower};
  if (c.s[0] == 'v') ++c.i;
  Pep440Version v;
  std::string first = c.digits();
  if (first.empty()) return std::nullopt;
  if (!c.done() && c.s[c.i] == '!') {
    v.epoch = first;
    ++c.i;
    first = c.digits();
    if (first.empty()) return std::nullopt;
  }
  v.release.push_back(first);
  while (c.i + 1 < c.s.size() && c.s[c.i] == '.' && pep_digit(c.s[c.i + 1])) {
    ++c.i;
    v.release.push_back(c.digits());
  }
  // Pre-release: [sep] (a|b|rc|alpha|beta|c|pre|preview) [sep] [N]
  size_t save = c.i;
  c.skip_separator();
  if (std::string kind = pre_spelling(c.letters()); !kind.empty()) {
    v.pre_kind = kind;
    v.pre_number = pep_number(c);
  } else {
    c.i = save;
  }
  // Post-release: "-N", or [sep] (post|rev|r) [sep] [N]
  save = c.i;
  if (c.i + 1 < c.s.size() && c.s[c.i] == '-' && pep_digit(c.s[c.i + 1])) {
    ++c.i;
    v.post = c.digits();
  } else {
    c.skip_separator();
    if (is_post_word(c.letters())) {
      v.post = pep_number(c);
    } else {
      c.i = save;
    }
  }
  // Development release: [sep] dev [sep] [N]
  save = c.i;
  c.skip_separator();
  if (c.letters() == "dev") {
    v.dev = pep_number(c);
  } else {
    c.i = save;
  }
  if (!c.done() && c.s[c.i] == '+') {
    ++c.i;
    std::string segment;
    for (; c.i <= c.s.size(); ++c.i) {
      char ch = c.i < c.s.size() ? c.s[c.i] : '.';
      if (pep_separator(ch)) {
        if (segment.empty()) return std::nullopt;
        v.local.push_back(std::move(segment));
        segment.clear();
      } else if (pep_digit(ch) || pep_alpha(ch)) {
        segment += ch;
      } else {
        return std::nullopt;
      }
    }
  }
  if (!c.done()) return std::nullopt;
  return v;
}

int compare(const Pep440Version& a, const Pep440Version& b) {
  if (int c = core::compare_decimal(a.epoch, b.epoch)) return c;
  if (int c = compare_release(a.release, b.release)) return c;
  int ra = pre_rank(a), rb = pre_rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra >= 1 && ra <= 3)
    if (int c = core::compare_decimal(a.pre_number, b.pre_number)) return c;
  // No post release sorts before any post release.
  if (int c = compare_optional_number(a.post, b.post, -1)) return c;
  // No dev release sorts after any dev release.
  if (int c = compare_optional_number(a.dev, b.dev, 1)) return c;
  return compare_local(a.local, b.local);
}

std::optional<int> compare_pep440(std::string_view a, std::string_view b) {
  auto x = parse_pep440(a), y = parse_pep440(b);
  if (!x || !y) return std::nullopt;
  return compare(*x, *y);
}

}  // namespace distill::vuln
