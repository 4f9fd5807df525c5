#include "effects/shell_reader.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include "core/strings.hpp"

namespace distill::effects {
namespace {

// ---- lexing ----

struct WordPart {
  enum Kind { kLiteral, kParam, kCommand, kArith } kind = kLiteral;
  std::string text;  // literal text, parameter name or command text
  bool quoted = false;
  std::string op;   // ${name<op>arg}: ":-", "-", ":=", "=", ":+", "+"; "?" unsupported
  std::string arg;  // raw text of the operand
};

struct Word {
  std::vector<WordPart> parts;
  std::string raw;
  bool any_quoted = false;
  // An unquoted literal word: what reserved words and operators are made of.
  bool plain(std::string_view s) const { return !any_quoted && raw == s; }
};

struct Token {
  enum Kind { kWord, kOp, kNewline, kEnd } kind = kEnd;
  Word word;
  std::string op;
  int line = 0;
  std::string heredoc;  // for "<<" operators: the body
};

class ShellLexer {
 public:
  explicit ShellLexer(std::string_view s) : s_(s) {}

  bool lex(std::vector<Token>& out, std::string& error) {
    for (;;) {
      skip_blanks();
      if (pos_ >= s_.size()) break;
      char c = s_[pos_];
      if (c == '#') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
        continue;
      }
      if (c == '\n') {
        out.push_back(Token{Token::kNewline, {}, "\n", line_, {}});
        ++pos_;
        ++line_;
        if (!read_heredocs(out, error)) return false;
        continue;
      }
      if (std::string op = read_op(); !op.empty()) {
        Token t{Token::kOp, {}, op, line_, {}};
        out.push_back(std::move(t));
        if (op == "<<" || op == "<<-") pending_.push_back({out.size() - 1, op == "<<-", ""});
        continue;
      }
      Token t{Token::kWord, {}, "", line_, {}};
      if (!read_word(t.word, error)) return false;
      if (!pending_.empty() && pending_.back().delimiter.empty() && out.back().kind == Token::kOp &&
          out.back().op.starts_with("<<"))
        pending_.back().delimiter = unquoted(t.word);
      out.push_back(std::move(t));
    }
    if (!pending_.empty()) return fail(error, "a here-document is not closed");
    out.push_back(Token{Token::kEnd, {}, "", line_, {}});
    return true;
  }

 private:
  struct Pending {
    size_t token;
    bool strip_tabs;
    std::string delimiter;
  };

  bool fail(std::string& error, std::string what) {
    error = "line " + std::to_string(line_) + ": " + what;
    return false;
  }

  static std::string unquoted(const Word& w) {
    std::string s;
    for (const auto& p : w.parts) s += p.text;
    return s;
  }

  void skip_blanks() {
    while (pos_ < s_.size()) {
      if (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r') {
        ++pos_;
      } else if (s_[pos_] == '\\' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') {
        pos_ += 2;
        ++line_;
      } else {
        break;
      }
    }
  }

  std::string read_op() {
    static const char* kOps[] = {"&&", "||", ";;", "<<-", "<<", ">>", ">&", "<&",
                                 ">|", "&",  "|",  ";",   "(",  ")",  "<",  ">"};
    // A file-descriptor number right before a redirection ("2>") belongs to it.
    size_t p = pos_;
    while (p < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p]))) ++p;
    bool fd = p > pos_ && p < s_.size() && (s_[p] == '<' || s_[p] == '>');
    size_t start = fd ? p : pos_;
    for (const char* op : kOps) {
      std::string_view o(op);
      if (s_.substr(start, o.size()) != o) continue;
      std::string out(s_.substr(pos_, start + o.size() - pos_));
      pos_ = start + o.size();
      return out;
    }
    return {};
  }

  // Reads up to the matching close of "$(" or "`", quotes respected.
  bool read_balanced(std::string& text, std::string& error) {
    int depth = 1;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '\n') ++line_;
      if (c == '\\' && pos_ < s_.size()) {
        text += c;
        text += s_[pos_++];
        continue;
      }
      if (c == '\'') {
        size_t end = s_.find('\'', pos_);
        if (end == std::string_view::npos) return fail(error, "a quote is not closed");
        text += s_.substr(pos_ - 1, end - pos_ + 2);
        pos_ = end + 1;
        continue;
      }
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) return true;
      text += c;
    }
    return fail(error, "a $( is not closed");
  }

  bool read_dollar(Word& w, bool quoted, std::string& error) {
    ++pos_;  // '$'
    WordPart p;
    p.quoted = quoted;
    if (pos_ < s_.size() && s_[pos_] == '(') {
      ++pos_;
      bool arith = pos_ < s_.size() && s_[pos_] == '(';
      if (arith) ++pos_;
      p.kind = arith ? WordPart::kArith : WordPart::kCommand;
      if (!read_balanced(p.text, error)) return false;
      if (arith && pos_ < s_.size() && s_[pos_] == ')') ++pos_;
    } else if (pos_ < s_.size() && s_[pos_] == '{') {
      size_t end = s_.find('}', pos_);
      if (end == std::string_view::npos) return fail(error, "a ${ is not closed");
      std::string_view in = s_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      p.kind = WordPart::kParam;
      size_t n = 0;
      while (n < in.size() && (std::isalnum(static_cast<unsigned char>(in[n])) || in[n] == '_'))
        ++n;
      p.text = std::string(in.substr(0, n));
      std::string_view rest = in.substr(n);
      if (p.text.empty() && !rest.empty() &&
          std::string_view("@*#?$!-").find(rest[0]) != std::string_view::npos) {
        p.text = std::string(1, rest[0]);
        rest.remove_prefix(1);
      }
      for (std::string_view op : {":-", ":=", ":+", "-", "=", "+"})
        if (rest.starts_with(op)) {
          p.op = std::string(op);
          p.arg = std::string(rest.substr(op.size()));
          rest = {};
          break;
        }
      if (!rest.empty() || p.text.empty()) p.op = "?";  // ${#x}, ${x%y}, ...: not modelled
    } else if (pos_ < s_.size() &&
               (std::isalpha(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) {
      p.kind = WordPart::kParam;
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
        p.text += s_[pos_++];
    } else if (pos_ < s_.size() &&
               (std::isdigit(static_cast<unsigned char>(s_[pos_])) ||
                std::string_view("@*#?$!-").find(s_[pos_]) != std::string_view::npos)) {
      p.kind = WordPart::kParam;
      p.text = std::string(1, s_[pos_++]);
    } else {
      p.text = "$";
    }
    w.parts.push_back(std::move(p));
    return true;
  }

  bool read_double_quoted(Word& w, std::string& error) {
    ++pos_;
    w.any_quoted = true;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_];
      if (c == '$') {
        if (!read_dollar(w, true, error)) return false;
        continue;
      }
      if (c == '`') {
        ++pos_;
        WordPart p{WordPart::kCommand, "", true, "", ""};
        size_t end = s_.find('`', pos_);
        if (end == std::string_view::npos) return fail(error, "a backquote is not closed");
        p.text = std::string(s_.substr(pos_, end - pos_));
        pos_ = end + 1;
        w.parts.push_back(std::move(p));
        continue;
      }
      if (c == '\\' && pos_ + 1 < s_.size() &&
          std::string_view("$`\"\\\n").find(s_[pos_ + 1]) != std::string_view::npos) {
        if (s_[pos_ + 1] != '\n') literal(w, s_[pos_ + 1], true);
        pos_ += 2;
        continue;
      }
      if (c == '\n') ++line_;
      literal(w, c, true);
      ++pos_;
    }
    if (pos_ >= s_.size()) return fail(error, "a double quote is not closed");
    ++pos_;
    if (w.parts.empty() || w.parts.back().kind != WordPart::kLiteral) literal(w, "", true);
    return true;
  }

  static void literal(Word& w, std::string_view text, bool quoted) {
    if (!w.parts.empty() && w.parts.back().kind == WordPart::kLiteral &&
        w.parts.back().quoted == quoted)
      w.parts.back().text += text;
    else
      w.parts.push_back(WordPart{WordPart::kLiteral, std::string(text), quoted, "", ""});
  }
  static void literal(Word& w, char c, bool quoted) { literal(w, std::string_view(&c, 1), quoted); }

  bool read_word(Word& w, std::string& error) {
    size_t start = pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (std::string_view(" \t\r\n;&|()<>").find(c) != std::string_view::npos) break;
      if (c == '\'') {
        size_t end = s_.find('\'', pos_ + 1);
        if (end == std::string_view::npos) return fail(error, "a single quote is not closed");
        w.any_quoted = true;
        std::string_view body = s_.substr(pos_ + 1, end - pos_ - 1);
        line_ += static_cast<int>(std::count(body.begin(), body.end(), '\n'));
        literal(w, body, true);
        if (body.empty()) literal(w, "", true);
        pos_ = end + 1;
      } else if (c == '"') {
        if (!read_double_quoted(w, error)) return false;
      } else if (c == '$') {
        if (!read_dollar(w, false, error)) return false;
      } else if (c == '`') {
        size_t end = s_.find('`', pos_ + 1);
        if (end == std::string_view::npos) return fail(error, "a backquote is not closed");
        w.parts.push_back(WordPart{
            WordPart::kCommand, std::string(s_.substr(pos_ + 1, end - pos_ - 1)), false, "", ""});
        pos_ = end + 1;
      } else if (c == '\\' && pos_ + 1 < s_.size()) {
        if (s_[pos_ + 1] == '\n') {
          ++line_;
        } else {
          w.any_quoted = true;
          literal(w, s_[pos_ + 1], true);
        }
        pos_ += 2;
      } else {
        literal(w, c, false);
        ++pos_;
      }
    }
    w.raw = std::string(s_.substr(start, pos_ - start));
    return true;
  }

  bool read_heredocs(std::vector<Token>& out, std::string& error) {
    for (auto& h : pending_) {
      std::string body;
      for (;;) {
        if (pos_ >= s_.size()) return fail(error, "here-document '" + h.delimiter + "' not closed");
        size_t end = s_.find('\n', pos_);
        if (end == std::string_view::npos) end = s_.size();
        std::string_view line = s_.substr(pos_, end - pos_);
        pos_ = std::min(end + 1, s_.size());
        ++line_;
        if (h.strip_tabs)
          while (line.starts_with('\t')) line.remove_prefix(1);
        if (line == h.delimiter) break;
        body += line;
        body += '\n';
      }
      out[h.token].heredoc = std::move(body);
    }
    pending_.clear();
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  int line_ = 1;
  std::vector<Pending> pending_;
};

// ---- parsing ----

struct Node;
using NodeP = std::unique_ptr<Node>;

struct Redirect {
  std::string op;
  Word target;
  std::string heredoc;
};

struct Node {
  enum Kind { kSimple, kPipeline, kAndOr, kList, kIf, kFor, kWhile, kCase, kGroup, kFunc };
  Kind kind = kSimple;
  int line = 0;
  std::vector<std::pair<std::string, Word>> assigns;  // kSimple
  std::vector<Word> words;                            // kSimple; kFor's list; kCase's subject
  std::vector<Redirect> redirects;
  std::vector<NodeP> kids;       // pipeline/and-or/list members; if: cond, body, ..., [else]
  std::vector<std::string> ops;  // kAndOr
  bool negate = false;           // kPipeline
  bool subshell = false;         // kGroup
  bool until = false;            // kWhile
  bool has_in = false;           // kFor
  std::string name;              // kFor variable, kFunc name
  std::vector<std::vector<Word>> patterns;  // kCase: one per kid
};

bool is_name(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

class ShellParser {
 public:
  explicit ShellParser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  NodeP program(std::string& error) {
    NodeP n = list({});
    if (error_.empty() && peek().kind != Token::kEnd) fail("unexpected '" + text(peek()) + "'");
    error = error_;
    return n;
  }

 private:
  // Past the end is the end: a construct cut short never reads beyond it.
  const Token& peek() const { return t_[std::min(i_, t_.size() - 1)]; }
  static std::string text(const Token& t) { return t.kind == Token::kWord ? t.word.raw : t.op; }
  bool at_word(std::string_view w) const {
    return peek().kind == Token::kWord && peek().word.plain(w);
  }
  bool at_op(std::string_view o) const { return peek().kind == Token::kOp && peek().op == o; }
  void fail(std::string what) {
    if (error_.empty()) error_ = "line " + std::to_string(peek().line) + ": " + what;
  }
  bool expect_word(std::string_view w) {
    if (at_word(w)) {
      ++i_;
      return true;
    }
    fail("expected '" + std::string(w) + "' before '" + text(peek()) + "'");
    return false;
  }
  void newlines() {
    while (peek().kind == Token::kNewline) ++i_;
  }
  bool at_terminator(const std::vector<std::string_view>& ends) const {
    if (peek().kind == Token::kEnd) return true;
    if (at_op(")") || at_op(";;")) return true;
    for (auto e : ends)
      if (at_word(e)) return true;
    return false;
  }

  NodeP list(const std::vector<std::string_view>& ends) {
    auto n = std::make_unique<Node>();
    n->kind = Node::kList;
    n->line = peek().line;
    for (;;) {
      newlines();
      if (!error_.empty() || at_terminator(ends)) break;
      n->kids.push_back(and_or());
      if (at_op(";") || at_op("&"))
        ++i_;
      else if (peek().kind != Token::kNewline && !at_terminator(ends) && error_.empty())
        fail("unexpected '" + text(peek()) + "'");
    }
    return n;
  }

  NodeP and_or() {
    auto n = std::make_unique<Node>();
    n->kind = Node::kAndOr;
    n->line = peek().line;
    n->kids.push_back(pipeline());
    while (error_.empty() && (at_op("&&") || at_op("||"))) {
      n->ops.push_back(peek().op);
      ++i_;
      newlines();
      n->kids.push_back(pipeline());
    }
    return n;
  }

  NodeP pipeline() {
    auto n = std::make_unique<Node>();
    n->kind = Node::kPipeline;
    n->line = peek().line;
    if (at_word("!")) {
      n->negate = true;
      ++i_;
    }
    n->kids.push_back(command());
    while (error_.empty() && at_op("|")) {
      ++i_;
      newlines();
      n->kids.push_back(command());
    }
    return n;
  }

  NodeP command() {
    if (!error_.empty()) return std::make_unique<Node>();
    NodeP n;
    if (at_word("if"))
      n = if_clause();
    else if (at_word("for"))
      n = for_clause();
    else if (at_word("while") || at_word("until"))
      n = while_clause();
    else if (at_word("case"))
      n = case_clause();
    else if (at_word("{") || at_op("("))
      n = group();
    else if (at_word("function") ||
             (peek().kind == Token::kWord && i_ + 2 < t_.size() && t_[i_ + 1].kind == Token::kOp &&
              t_[i_ + 1].op == "(" && t_[i_ + 2].kind == Token::kOp && t_[i_ + 2].op == ")"))
      return function();
    else
      return simple();
    redirects(*n);
    return n;
  }

  NodeP function() {
    auto n = std::make_unique<Node>();
    n->kind = Node::kFunc;
    n->line = peek().line;
    if (at_word("function")) ++i_;
    n->name = peek().word.raw;
    ++i_;
    if (at_op("(")) i_ += 2;
    newlines();
    n->kids.push_back(command());
    return n;
  }

  NodeP group() {
    auto n = std::make_unique<Node>();
    n->kind = Node::kGroup;
    n->line = peek().line;
    n->subshell = at_op("(");
    ++i_;
    n->kids.push_back(list({"}"}));
    if (n->subshell) {
      if (at_op(")"))
        ++i_;
      else
        fail("expected ')'");
    } else {
      expect_word("}");
    }
    return n;
  }

  NodeP if_clause() {
    auto n = std::make_unique<Node>();
    n->kind = Node::kIf;
    n->line = peek().line;
    ++i_;
    n->kids.push_back(list({"then"}));
    expect_word("then");
    n->kids.push_back(list({"elif", "else", "fi"}));
    while (error_.empty() && at_word("elif")) {
      ++i_;
      n->kids.push_back(list({"then"}));
      expect_word("then");
      n->kids.push_back(list({"elif", "else", "fi"}));
    }
    if (at_word("else")) {
      ++i_;
      n->kids.push_back(list({"fi"}));
    }
    expect_word("fi");
    return n;
  }

  NodeP for_clause() {
    auto n = std::make_unique<Node>();
    n->kind = Node::kFor;
    n->line = peek().line;
    ++i_;
    n->name = peek().word.raw;
    ++i_;
    newlines();
    if (at_word("in")) {
      n->has_in = true;
      ++i_;
      while (peek().kind == Token::kWord) n->words.push_back(t_[i_++].word);
    }
    if (at_op(";")) ++i_;
    newlines();
    expect_word("do");
    n->kids.push_back(list({"done"}));
    expect_word("done");
    return n;
  }

  NodeP while_clause() {
    auto n = std::make_unique<Node>();
    n->kind = Node::kWhile;
    n->line = peek().line;
    n->until = at_word("until");
    ++i_;
    n->kids.push_back(list({"do"}));
    expect_word("do");
    n->kids.push_back(list({"done"}));
    expect_word("done");
    return n;
  }

  NodeP case_clause() {
    auto n = std::make_unique<Node>();
    n->kind = Node::kCase;
    n->line = peek().line;
    ++i_;
    if (peek().kind != Token::kWord) {
      fail("expected a word after 'case'");
      return n;
    }
    n->words.push_back(peek().word);
    ++i_;
    newlines();
    expect_word("in");
    for (;;) {
      newlines();
      if (!error_.empty() || at_word("esac") || peek().kind == Token::kEnd) break;
      if (at_op("(")) ++i_;
      std::vector<Word> pats;
      while (peek().kind == Token::kWord) {
        pats.push_back(t_[i_++].word);
        if (at_op("|"))
          ++i_;
        else
          break;
      }
      if (!at_op(")")) {
        fail("expected ')' in a case pattern");
        break;
      }
      ++i_;
      n->patterns.push_back(std::move(pats));
      n->kids.push_back(list({"esac"}));
      if (at_op(";;")) ++i_;
    }
    expect_word("esac");
    return n;
  }

  void redirects(Node& n) {
    while (peek().kind == Token::kOp && is_redirect(peek().op)) {
      Redirect r{peek().op, {}, peek().heredoc};
      ++i_;
      if (peek().kind != Token::kWord) {
        fail("a redirection without a target");
        return;
      }
      r.target = t_[i_++].word;
      n.redirects.push_back(std::move(r));
    }
  }

  static bool is_redirect(std::string_view op) {
    while (!op.empty() && std::isdigit(static_cast<unsigned char>(op[0]))) op.remove_prefix(1);
    return op == "<" || op == ">" || op == ">>" || op == ">&" || op == "<&" || op == ">|" ||
           op == "<<" || op == "<<-";
  }

  NodeP simple() {
    auto n = std::make_unique<Node>();
    n->kind = Node::kSimple;
    n->line = peek().line;
    for (;;) {
      if (peek().kind == Token::kOp && is_redirect(peek().op)) {
        redirects(*n);
        continue;
      }
      if (peek().kind != Token::kWord) break;
      const Word& w = peek().word;
      auto eq = w.raw.find('=');
      if (n->words.empty() && eq != std::string::npos && is_name(w.raw.substr(0, eq)) &&
          !w.parts.empty() && w.parts[0].kind == WordPart::kLiteral && !w.parts[0].quoted) {
        Word value = w;
        value.parts[0].text = value.parts[0].text.substr(eq + 1);
        value.raw = w.raw.substr(eq + 1);
        n->assigns.emplace_back(w.raw.substr(0, eq), std::move(value));
      } else {
        n->words.push_back(w);
      }
      ++i_;
    }
    if (n->words.empty() && n->assigns.empty() && n->redirects.empty())
      fail("unexpected '" + text(peek()) + "'");
    return n;
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  std::string error_;
};

// ---- reading ----

using Value = std::optional<std::string>;  // nullopt: not known without running the script

Tri tri_not(Tri t) {
  return t == Tri::kTrue ? Tri::kFalse : t == Tri::kFalse ? Tri::kTrue : Tri::kUnknown;
}
Tri tri_of(bool b) {
  return b ? Tri::kTrue : Tri::kFalse;
}

// A branch whose last command is `exit N` (N != 0) or `false`-like failure:
// taken as never run, since the install it models succeeded.
bool fails_install(const Node& n) {
  const Node* cur = &n;
  while (cur->kind == Node::kList || cur->kind == Node::kAndOr || cur->kind == Node::kPipeline ||
         (cur->kind == Node::kGroup && !cur->subshell)) {
    if (cur->kids.empty()) return false;
    if (cur->kind == Node::kAndOr && !cur->ops.empty()) return false;
    if (cur->kind == Node::kPipeline && cur->negate) return false;
    cur = cur->kids.back().get();
  }
  if (cur->kind != Node::kSimple || cur->words.empty() || !cur->words[0].plain("exit"))
    return false;
  if (cur->words.size() < 2) return false;  // `exit` keeps the last status: unknown
  const std::string& code = cur->words[1].raw;
  return !code.empty() && code != "0" &&
         std::all_of(code.begin(), code.end(), [](char c) { return std::isdigit(c); });
}

class ShellEval {
 public:
  ShellEval(const ShellContext& ctx, ShellReading& out) : ctx_(ctx), out_(out) {
    positional_ = ctx.args;
    for (const auto& [k, v] : ctx.env) vars_[k] = v;
  }

  enum class Flow { kNormal, kExit, kReturn, kBreak, kContinue };

  Tri run(const Node& n) {
    if (++depth_ > kMaxDepth) {
      --depth_;
      certain_ = false;
      return Tri::kUnknown;
    }
    Tri t = dispatch(n);
    --depth_;
    return t;
  }

  Flow flow = Flow::kNormal;

 private:
  static constexpr int kMaxDepth = 64;
  static constexpr size_t kMaxSteps = 200000;
  static constexpr size_t kMaxLoop = 1000;

  Tri dispatch(const Node& n) {
    if (++steps_ > kMaxSteps) {
      certain_ = false;
      return Tri::kUnknown;
    }
    switch (n.kind) {
      case Node::kList:
        return run_list(n);
      case Node::kAndOr:
        return run_and_or(n);
      case Node::kPipeline:
        return run_pipeline(n);
      case Node::kIf:
        return run_if(n);
      case Node::kFor:
        return run_for(n);
      case Node::kWhile:
        return run_while(n);
      case Node::kCase:
        return run_case(n);
      case Node::kGroup:
        return run_group(n);
      case Node::kFunc:
        funcs_[n.name] = n.kids[0].get();
        return Tri::kTrue;
      case Node::kSimple:
        return run_simple(n);
    }
    return Tri::kUnknown;
  }

  Tri run_list(const Node& n) {
    Tri last = Tri::kTrue;
    for (const auto& k : n.kids) {
      last = run(*k);
      if (flow != Flow::kNormal) break;
    }
    return last;
  }

  Tri run_and_or(const Node& n) {
    Tri t = run(*n.kids[0]);
    for (size_t i = 1; i < n.kids.size() && flow == Flow::kNormal; ++i) {
      bool is_and = n.ops[i - 1] == "&&";
      if (t == (is_and ? Tri::kFalse : Tri::kTrue)) continue;
      if (t == Tri::kUnknown) {
        // `cmd || exit 1`: the install went on, so cmd succeeded.
        if (!is_and && fails_install(*n.kids[i])) {
          t = Tri::kTrue;
          continue;
        }
        t = maybe([&] { return run(*n.kids[i]); });
        t = Tri::kUnknown;
        continue;
      }
      t = run(*n.kids[i]);
    }
    return t;
  }

  Tri run_pipeline(const Node& n) {
    Tri t = Tri::kTrue;
    for (const auto& k : n.kids) t = run(*k);
    if (n.kids.size() > 1 && t == Tri::kTrue) t = Tri::kUnknown;  // an earlier stage may fail
    return n.negate ? tri_not(t) : t;
  }

  // Runs `fn` as a path that may or may not be taken.
  template <typename Fn>
  Tri maybe(Fn fn) {
    bool saved = certain_;
    certain_ = false;
    Tri t = fn();
    certain_ = saved;
    if (flow == Flow::kExit || flow == Flow::kReturn || flow == Flow::kBreak ||
        flow == Flow::kContinue) {
      // It may have left: what follows is uncertain, not skipped.
      flow = Flow::kNormal;
      certain_ = false;
    }
    return t;
  }

  Tri run_if(const Node& n) {
    size_t pairs = n.kids.size() / 2;
    bool has_else = n.kids.size() % 2 == 1;
    bool decided = true;  // every earlier condition known false
    for (size_t i = 0; i < pairs && flow == Flow::kNormal; ++i) {
      const Node& body = *n.kids[2 * i + 1];
      Tri c = decided ? run(*n.kids[2 * i]) : maybe([&] { return run(*n.kids[2 * i]); });
      if (flow != Flow::kNormal) return c;
      if (c == Tri::kUnknown && fails_install(body)) c = Tri::kFalse;
      if (decided && c == Tri::kTrue) return run(body);
      if (c == Tri::kFalse) continue;
      maybe([&] { return run(body); });
      decided = false;
    }
    if (has_else && flow == Flow::kNormal) {
      const Node& body = *n.kids.back();
      if (decided) return run(body);
      if (!fails_install(body)) maybe([&] { return run(body); });
    }
    return decided ? Tri::kTrue : Tri::kUnknown;
  }

  Tri run_for(const Node& n) {
    std::optional<std::vector<std::string>> items;
    if (n.has_in)
      items = expand_words(n.words);
    else
      items = positional_;
    if (!items || items->size() > kMaxLoop) {
      vars_[n.name] = std::nullopt;
      maybe([&] { return run(*n.kids[0]); });
      return Tri::kUnknown;
    }
    for (const auto& item : *items) {
      vars_[n.name] = item;
      run(*n.kids[0]);
      if (flow == Flow::kBreak) {
        flow = Flow::kNormal;
        break;
      }
      if (flow == Flow::kContinue) flow = Flow::kNormal;
      if (flow != Flow::kNormal) break;
    }
    return Tri::kTrue;
  }

  Tri run_while(const Node& n) {
    // How often a loop runs depends on what it reads: its body is read
    // once, as a path that may be taken.
    maybe([&] {
      run(*n.kids[0]);
      return run(*n.kids[1]);
    });
    return Tri::kUnknown;
  }

  Tri run_case(const Node& n) {
    Value subject = expand_one(n.words[0]);
    bool decided = true;
    for (size_t i = 0; i < n.kids.size() && flow == Flow::kNormal; ++i) {
      Tri match = Tri::kFalse;
      for (const auto& pat : n.patterns[i]) {
        Value p = expand_pattern(pat);
        if (!subject || !p)
          match = Tri::kUnknown;
        else if (fnmatch(p->c_str(), subject->c_str(), 0) == 0)
          match = Tri::kTrue;
        if (match == Tri::kTrue) break;
      }
      if (match == Tri::kUnknown && fails_install(*n.kids[i])) match = Tri::kFalse;
      if (match == Tri::kTrue && decided) return run(*n.kids[i]);
      if (match == Tri::kFalse) continue;
      maybe([&] { return run(*n.kids[i]); });
      decided = false;
    }
    return Tri::kTrue;
  }

  Tri run_group(const Node& n) {
    if (!n.subshell) return run(*n.kids[0]);
    auto saved_vars = vars_;
    Tri t = run(*n.kids[0]);
    vars_ = std::move(saved_vars);
    if (flow == Flow::kExit) flow = Flow::kNormal;  // exit leaves the subshell only
    return t;
  }

  void assign(const std::string& name, Value v) {
    if (!certain_) {
      auto it = vars_.find(name);
      Value old = it == vars_.end() ? Value("") : it->second;
      if (old != v) v = std::nullopt;
    }
    vars_[name] = std::move(v);
  }

  Tri run_simple(const Node& n) {
    line_ = n.line;
    Invocation inv;
    inv.line = n.line;
    inv.certain = certain_;
    for (const auto& w : n.words) {
      auto fields = expand(w, true);
      if (!fields) {
        inv.complete = false;
        inv.argv.push_back("?");
      } else {
        for (auto& f : *fields) inv.argv.push_back(std::move(f));
      }
    }
    for (const auto& r : n.redirects) {
      if (r.op.find('<') != std::string::npos) {
        if (r.op.starts_with("<<")) inv.heredoc = r.heredoc;
        continue;
      }
      if (r.op.find('&') != std::string::npos) continue;  // 2>&1, >&2
      Value target = expand_one(r.target);
      if (target && *target == "/dev/null") continue;
      inv.writes.push_back(target ? *target : "?");
    }
    if (inv.argv.empty()) {
      for (const auto& [name, w] : n.assigns) assign(name, expand_one(w));
      if (!inv.writes.empty()) out_.invocations.push_back(std::move(inv));
      return Tri::kTrue;
    }
    if (!n.assigns.empty()) {
      // `VAR=x cmd`: the variables are for cmd only; they may change what it does.
      for (const auto& [name, w] : n.assigns) inv.argv.insert(inv.argv.begin(), name + "=" + w.raw);
      inv.complete = false;
    }
    return command(inv);
  }

  Tri command(Invocation& inv) {
    const std::string& cmd = inv.argv[0];
    if (auto t = builtin(inv)) return *t;
    if (auto f = funcs_.find(cmd); f != funcs_.end() && inv.writes.empty()) {
      std::vector<std::string> saved = positional_;
      positional_.assign(inv.argv.begin() + 1, inv.argv.end());
      Tri t = run(*f->second);
      positional_ = std::move(saved);
      if (flow == Flow::kReturn) flow = Flow::kNormal;
      return t;
    }
    Tri t = ctx_.status ? ctx_.status(inv) : Tri::kUnknown;
    out_.invocations.push_back(std::move(inv));
    return t;
  }

  std::optional<Tri> builtin(Invocation& inv) {
    const auto& a = inv.argv;
    const std::string& cmd = a[0];
    if (!inv.writes.empty()) return std::nullopt;
    if (cmd == ":" || cmd == "true") return Tri::kTrue;
    if (cmd == "false") return Tri::kFalse;
    if (cmd == "set" || cmd == "trap" || cmd == "umask" || cmd == "readonly" || cmd == "shift")
      return Tri::kTrue;
    if (cmd == "unset") {
      for (size_t i = 1; i < a.size(); ++i)
        if (a[i] != "-v" && a[i] != "-f") assign(a[i], std::string());
      return Tri::kTrue;
    }
    if (cmd == "export" || cmd == "local") {
      for (size_t i = 1; i < a.size(); ++i) {
        auto eq = a[i].find('=');
        if (eq != std::string::npos) assign(a[i].substr(0, eq), a[i].substr(eq + 1));
      }
      if (!inv.complete) certain_ = false;
      return Tri::kTrue;
    }
    if (cmd == "exit" || cmd == "return" || cmd == "break" || cmd == "continue") {
      flow = cmd == "exit"     ? Flow::kExit
             : cmd == "return" ? Flow::kReturn
             : cmd == "break"  ? Flow::kBreak
                               : Flow::kContinue;
      return a.size() > 1 && a[1] != "0" ? Tri::kFalse : Tri::kTrue;
    }
    if (cmd == "[" || cmd == "test") {
      if (!inv.complete) return Tri::kUnknown;
      std::vector<std::string> args(a.begin() + 1, a.end());
      if (cmd == "[") {
        if (args.empty() || args.back() != "]") return Tri::kUnknown;
        args.pop_back();
      }
      return test(args);
    }
    if ((cmd == "command" && a.size() >= 3 && a[1] == "-v") || cmd == "which" ||
        (cmd == "type" && a.size() == 2)) {
      if (!inv.complete) return Tri::kUnknown;
      return on_path(a.back());
    }
    return std::nullopt;
  }

  Tri on_path(const std::string& name) {
    if (!ctx_.executable) return Tri::kUnknown;
    if (funcs_.count(name)) return Tri::kTrue;
    if (name.starts_with("/")) return tri_of(ctx_.executable(name));
    for (const char* dir :
         {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"})
      if (ctx_.executable(std::string(dir) + "/" + name)) return Tri::kTrue;
    return Tri::kFalse;
  }

  Tri file_test(const std::string& op, const std::string& path) {
    if (!ctx_.file_type || !path.starts_with("/")) return Tri::kUnknown;
    char follow = ctx_.file_type(path, true);
    if (op == "-e") return tri_of(follow != 0);
    if (op == "-f") return tri_of(follow == 'f');
    if (op == "-d") return tri_of(follow == 'd');
    if (op == "-L" || op == "-h") return tri_of(ctx_.file_type(path, false) == 'l');
    if (op == "-x") return ctx_.executable ? tri_of(ctx_.executable(path)) : Tri::kUnknown;
    if (op == "-r" || op == "-w") return tri_of(follow != 0);  // root reads and writes all
    return Tri::kUnknown;                                      // -s (size), -p, -S, ...
  }

  static std::optional<long> integer(const std::string& s) {
    long v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
  }

  Tri test(std::vector<std::string> a) {
    if (a.empty()) return Tri::kFalse;
    if (a[0] == "!") return tri_not(test({a.begin() + 1, a.end()}));
    for (size_t i = 1; i < a.size(); ++i)
      if (a[i] == "-a" || a[i] == "-o") {
        Tri l = test({a.begin(), a.begin() + static_cast<long>(i)});
        Tri r = test({a.begin() + static_cast<long>(i) + 1, a.end()});
        if (a[i] == "-a")
          return l == Tri::kFalse || r == Tri::kFalse ? Tri::kFalse
                 : l == Tri::kTrue && r == Tri::kTrue ? Tri::kTrue
                                                      : Tri::kUnknown;
        return l == Tri::kTrue || r == Tri::kTrue     ? Tri::kTrue
               : l == Tri::kFalse && r == Tri::kFalse ? Tri::kFalse
                                                      : Tri::kUnknown;
      }
    if (a.size() == 1) return tri_of(!a[0].empty());
    if (a.size() == 2) {
      if (a[0] == "-z") return tri_of(a[1].empty());
      if (a[0] == "-n") return tri_of(!a[1].empty());
      return file_test(a[0], a[1]);
    }
    if (a.size() == 3) {
      const std::string& op = a[1];
      if (op == "=" || op == "==") return tri_of(a[0] == a[2]);
      if (op == "!=") return tri_of(a[0] != a[2]);
      auto l = integer(a[0]), r = integer(a[2]);
      if (!l || !r) return Tri::kUnknown;
      if (op == "-eq") return tri_of(*l == *r);
      if (op == "-ne") return tri_of(*l != *r);
      if (op == "-lt") return tri_of(*l < *r);
      if (op == "-le") return tri_of(*l <= *r);
      if (op == "-gt") return tri_of(*l > *r);
      if (op == "-ge") return tri_of(*l >= *r);
    }
    return Tri::kUnknown;
  }

  // ---- expansion ----

  Value param(const WordPart& p) {
    const std::string& name = p.text;
    Value v;
    bool set = true;
    if (name == "#")
      v = std::to_string(positional_.size());
    else if (name == "?" || name == "$" || name == "!" || name == "-")
      v = std::nullopt;
    else if (name == "@" || name == "*")
      v = core::join(positional_, " ");
    else if (std::isdigit(static_cast<unsigned char>(name[0]))) {
      size_t i = static_cast<size_t>(name[0] - '0');
      if (i == 0)
        v = std::nullopt;
      else if (i <= positional_.size())
        v = positional_[i - 1];
      else {
        v = "";
        set = false;
      }
    } else {
      auto it = vars_.find(name);
      if (it == vars_.end()) {
        v = "";
        set = false;
      } else {
        v = it->second;
      }
    }
    if (p.op.empty()) return v;
    if (p.op == "?") return std::nullopt;
    if (!v) return std::nullopt;
    bool use_alt = p.op.starts_with(':') ? !v->empty() : set;
    Value arg = expand_text(p.arg);
    if (p.op.ends_with('-')) return use_alt ? v : arg;
    if (p.op.ends_with('=')) {
      if (use_alt) return v;
      if (is_name(name)) assign(name, arg);
      return arg;
    }
    return use_alt ? arg : Value("");  // '+'
  }

  // Expands the text inside ${x:-...} (no field splitting).
  Value expand_text(const std::string& text) {
    std::vector<Token> tokens;
    std::string error;
    std::string quoted = "\"" + text + "\"";
    if (!ShellLexer(quoted).lex(tokens, error) || tokens.empty() || tokens[0].kind != Token::kWord)
      return std::nullopt;
    return expand_one(tokens[0].word);
  }

  Value command_output(const std::string& text) {
    ShellReading inner;
    std::vector<Token> tokens;
    std::string error;
    if (!ShellLexer(text).lex(tokens, error)) return std::nullopt;
    NodeP node = ShellParser(std::move(tokens)).program(error);
    if (!error.empty()) return std::nullopt;
    // The commands inside run too: record them, in a subshell's scope.
    size_t before = out_.invocations.size();
    auto saved_vars = vars_;
    Flow saved_flow = flow;
    int outer_line = line_;
    run(*node);
    flow = saved_flow;
    vars_ = std::move(saved_vars);
    line_ = outer_line;
    for (size_t i = before; i < out_.invocations.size(); ++i) {
      out_.invocations[i].line += outer_line - 1;  // the inner text counts from 1
      out_.invocations[i].in_substitution = true;
    }
    if (out_.invocations.size() != before + 1 || !ctx_.output) return std::nullopt;
    const Invocation& only = out_.invocations.back();
    if (!only.complete || !only.writes.empty()) return std::nullopt;
    Value v = ctx_.output(only.argv);
    if (v)
      while (!v->empty() && v->back() == '\n') v->pop_back();
    return v;
  }

  Value part_value(const WordPart& p) {
    switch (p.kind) {
      case WordPart::kLiteral:
        return p.text;
      case WordPart::kParam:
        return param(p);
      case WordPart::kCommand:
        return command_output(p.text);
      case WordPart::kArith:
        return std::nullopt;
    }
    return std::nullopt;
  }

  // Fields of one word: unquoted expansions split on blanks, unquoted
  // globs matched against the image.
  std::optional<std::vector<std::string>> expand(const Word& w, bool glob) {
    if (w.parts.size() == 1 && w.parts[0].kind == WordPart::kParam && w.parts[0].quoted &&
        w.parts[0].text == "@" && w.parts[0].op.empty())
      return positional_;
    std::vector<std::string> fields;
    std::string cur;
    bool have = false, globbing = false;
    for (const auto& p : w.parts) {
      Value v = part_value(p);
      if (!v) return std::nullopt;
      if (p.quoted || p.kind == WordPart::kLiteral) {
        cur += *v;
        have = true;
        if (!p.quoted && v->find_first_of("*?[") != std::string::npos) globbing = true;
        continue;
      }
      for (char c : *v) {
        if (c == ' ' || c == '\t' || c == '\n') {
          if (have) fields.push_back(std::move(cur));
          cur.clear();
          have = false;
        } else {
          cur += c;
          have = true;
        }
      }
    }
    if (have || w.any_quoted) fields.push_back(std::move(cur));
    if (glob && globbing && fields.size() == 1 && fields[0].starts_with("/") && ctx_.glob) {
      auto matches = ctx_.glob(fields[0]);
      if (!matches.empty()) return matches;
    }
    return fields;
  }

  Value expand_one(const Word& w) {
    std::string s;
    for (const auto& p : w.parts) {
      Value v = part_value(p);
      if (!v) return std::nullopt;
      s += *v;
    }
    return s;
  }

  // A case pattern: quoted parts match literally.
  Value expand_pattern(const Word& w) {
    std::string s;
    for (const auto& p : w.parts) {
      Value v = part_value(p);
      if (!v) return std::nullopt;
      if (!p.quoted) {
        s += *v;
        continue;
      }
      for (char c : *v) {
        if (std::string_view("*?[]\\").find(c) != std::string_view::npos) s += '\\';
        s += c;
      }
    }
    return s;
  }

  std::optional<std::vector<std::string>> expand_words(const std::vector<Word>& words) {
    std::vector<std::string> out;
    for (const auto& w : words) {
      auto f = expand(w, true);
      if (!f) return std::nullopt;
      out.insert(out.end(), f->begin(), f->end());
    }
    return out;
  }

  const ShellContext& ctx_;
  ShellReading& out_;
  std::map<std::string, Value> vars_;
  std::vector<std::string> positional_;
  std::map<std::string, const Node*> funcs_;
  bool certain_ = true;
  int line_ = 1;  // of the simple command being read, for $(...) inside it
  int depth_ = 0;
  size_t steps_ = 0;
};

}  // namespace

ShellReading read_shell(std::string_view script, const ShellContext& ctx) {
  ShellReading out;
  std::vector<Token> tokens;
  if (!ShellLexer(script).lex(tokens, out.error)) return out;
  NodeP program = ShellParser(std::move(tokens)).program(out.error);
  if (!out.error.empty()) return out;
  ShellEval eval(ctx, out);
  eval.run(*program);
  return out;
}

}  // namespace distill::effects
