#include "debian/relation.hpp"

#include <optional>
#include <utility>

#include "core/text.hpp"
#include "debian/version.hpp"

namespace distill::debian {
namespace {

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// dpkg's pkg_name_is_illegal() also allows '_' (deprecated).
bool is_name_char(char c) {
  return is_alnum(c) || c == '-' || c == '+' || c == '.' || c == '_';
}
bool is_arch_char(char c) {
  return is_alnum(c) || c == '-';
}

// The offending comma group, whitespace collapsed, for error messages.
std::string field_excerpt(std::string_view field, size_t from) {
  size_t to = field.find(',', from);
  if (to == std::string_view::npos) to = field.size();
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (core::is_space(field[i])) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += field[i];
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  constexpr size_t kMax = 100;
  if (out.size() > kMax) out = out.substr(0, kMax) + "...";
  return out;
}

std::string describe(char c) {
  if (c == '\0') return "end of field";
  return std::string("'") + c + "'";
}

// dpkg still accepts the deprecated "<" and ">", meaning "<=" and ">=".
std::optional<RelOp> op_from(std::string_view op) {
  if (op == "<<") return RelOp::Lt;
  if (op == "<=" || op == "<") return RelOp::Le;
  if (op == "=") return RelOp::Eq;
  if (op == ">=" || op == ">") return RelOp::Ge;
  if (op == ">>") return RelOp::Gt;
  return std::nullopt;
}

class RelationParser {
 public:
  RelationParser(std::string_view field, std::string_view where) : s_(field), where_(where) {}

  core::Result<std::vector<Alternatives>> run() {
    std::vector<Alternatives> groups;
    skip_space();
    if (at_end()) return groups;
    for (;;) {
      group_start_ = pos_;
      Alternatives alts;
      for (;;) {
        DISTILL_ASSIGN(Relation rel, relation());
        alts.push_back(std::move(rel));
        skip_space();
        if (peek() != '|') break;
        ++pos_;
        skip_space();
      }
      groups.push_back(std::move(alts));
      if (at_end()) return groups;
      if (peek() != ',') return error("unexpected " + describe(peek()) + " after a relation");
      ++pos_;
      skip_space();
    }
  }

 private:
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  void skip_space() {
    while (!at_end() && core::is_space(s_[pos_])) ++pos_;
  }
  template <typename Pred>
  std::string_view take_while(Pred pred) {
    size_t start = pos_;
    while (!at_end() && pred(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  core::Error error(std::string problem) const {
    return core::make_error(
        std::string(where_),
        "malformed relation '" + field_excerpt(s_, group_start_) + "': " + problem);
  }

  core::Result<Relation> relation() {
    Relation rel;
    std::string_view name = take_while(is_name_char);
    if (name.empty()) return error("missing package name, found " + describe(peek()));
    if (!is_alnum(name.front()))
      return error("package name '" + std::string(name) + "' must start with a letter or digit");
    rel.name = std::string(name);
    if (peek() == ':') {
      ++pos_;
      std::string_view arch = take_while(is_arch_char);
      if (arch.empty()) return error("missing architecture qualifier after ':'");
      rel.arch_qualifier = std::string(arch);
    }
    skip_space();
    if (peek() == '(') DISTILL_TRY(constraint(rel));
    skip_space();
    if (peek() == '[') DISTILL_TRY(skip_list('[', ']', "architecture restriction"));
    skip_space();
    while (peek() == '<') {
      DISTILL_TRY(skip_list('<', '>', "build profile restriction"));
      skip_space();
    }
    return rel;
  }

  // "(>= 1.0)", the opening parenthesis at pos_.
  core::Status constraint(Relation& rel) {
    ++pos_;
    skip_space();
    std::string_view op = take_while([](char c) { return c == '<' || c == '>' || c == '='; });
    auto parsed_op = op_from(op);
    if (!parsed_op && op.empty())
      return error("missing relation operator before " + describe(peek()));
    if (!parsed_op) return error("unknown relation operator '" + std::string(op) + "'");
    rel.op = *parsed_op;
    skip_space();
    std::string_view version = take_while([](char c) {
      return !core::is_space(c) && c != ')' && c != '(' && c != ',' && c != '|' && c != '[';
    });
    if (version.empty()) return error("missing version after '" + std::string(op) + "'");
    skip_space();
    if (peek() != ')')
      return error("expected ')' after version '" + std::string(version) + "', found " +
                   describe(peek()));
    ++pos_;
    auto parsed = Version::parse(version);
    if (!parsed.ok()) return error(parsed.error().message());
    rel.version = std::string(version);
    return {};
  }

  // "[amd64 !i386]" or "<!nocheck stage1>": checked for shape, then dropped.
  core::Status skip_list(char open, char close, const char* what) {
    ++pos_;
    skip_space();
    std::string_view body = take_while([close](char c) {
      return core::is_space(c) || is_alnum(c) || c == '-' || c == '!' || c == '.' || c == '+' ||
             (close == ']' && c == ':');
    });
    if (peek() != close)
      return error(std::string("unterminated ") + what + ", found " + describe(peek()) +
                   " where '" + close + "' was expected");
    ++pos_;
    bool blank = true;
    for (char c : body) blank = blank && core::is_space(c);
    if (blank) return error(std::string("empty ") + what + " '" + open + close + "'");
    return {};
  }

  std::string_view s_;
  std::string_view where_;
  size_t pos_ = 0;
  size_t group_start_ = 0;
};

}  // namespace

std::string_view to_string(RelOp op) {
  switch (op) {
    case RelOp::Any:
      return "";
    case RelOp::Lt:
      return "<<";
    case RelOp::Le:
      return "<=";
    case RelOp::Eq:
      return "=";
    case RelOp::Ge:
      return ">=";
    case RelOp::Gt:
      return ">>";
  }
  return "";
}

std::string Relation::str() const {
  std::string out = name;
  if (!arch_qualifier.empty()) out += ":" + arch_qualifier;
  if (op != RelOp::Any) {
    out += " (";
    out += to_string(op);
    out += " " + version + ")";
  }
  return out;
}

core::Result<std::vector<Alternatives>> parse_relations(std::string_view field,
                                                        std::string_view where) {
  return RelationParser(field, where).run();
}

bool version_satisfies(std::string_view candidate, RelOp op, std::string_view required) {
  if (op == RelOp::Any) return true;
  int c = compare_versions(candidate, required);
  switch (op) {
    case RelOp::Lt:
      return c < 0;
    case RelOp::Le:
      return c <= 0;
    case RelOp::Eq:
      return c == 0;
    case RelOp::Ge:
      return c >= 0;
    case RelOp::Gt:
      return c > 0;
    case RelOp::Any:
      break;
  }
  return true;
}

}  // namespace distill::debian
