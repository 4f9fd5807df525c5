#include "debian/deb822.hpp"

#include <cstring>
#include <utility>

#include "core/strings.hpp"
#include "core/text.hpp"

namespace distill::debian {
namespace {

bool all_blank(const char* p, const char* end) {
  for (; p < end; ++p)
    if (!core::is_blank(*p)) return false;
  return true;
}

// The start of a bad line, short enough for an error message.
std::string line_excerpt(const char* p, const char* eol) {
  constexpr size_t kMax = 60;
  size_t n = static_cast<size_t>(eol - p);
  return n <= kMax ? std::string(p, n) : std::string(p, kMax) + "...";
}

// Rewrites CRLF line ends to LF in place. Only called when a '\r' exists, so
// LF-only files (every archive index) pay for a single memchr.
void normalise_crlf(std::string& text) {
  size_t out = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    text[out++] = text[i];
  }
  text.resize(out);
}

// Walks the text line by line and hands each paragraph to a sink. State lives
// here so the per-line steps stay small functions.
class Parser {
 public:
  Parser(std::string_view text, std::string_view where, const ParagraphSink& sink)
      : begin_(text.data()), end_(text.data() + text.size()), where_(where), sink_(sink) {}

  core::Status run() {
    const char* p = begin_;
    while (p < end_) {
      ++line_;
      const char* nl =
          static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end_ - p)));
      const char* eol = nl ? nl : end_;
      DISTILL_TRY(handle_line(p, eol));
      p = nl ? nl + 1 : end_;
    }
    return finish_paragraph();
  }

 private:
  core::Status handle_line(const char* p, const char* eol) {
    if (p == eol) return finish_paragraph();
    if (*p == '#') {
      after_comment_ = true;
      return {};
    }
    if (core::is_blank(*p)) {
      // Whitespace-only lines separate stanzas, as Debian policy permits.
      if (all_blank(p, eol)) return finish_paragraph();
      return continuation(eol);
    }
    return field(p, eol);
  }

  core::Status continuation(const char* eol) {
    if (fields_.empty())
      return error("continuation line before any field",
                   "a line starting with a space or tab continues the previous field");
    if (after_comment_)
      return error("continuation line after a comment line",
                   "comments cannot interrupt a multi-line field");
    value_end_ = eol;
    return {};
  }

  core::Status field(const char* p, const char* eol) {
    after_comment_ = false;
    // Names are short: one plain scan finds the colon and vets the name.
    const char* colon = p;
    bool blank = false;
    for (; colon < eol && *colon != ':'; ++colon) blank |= core::is_blank(*colon);
    if (colon == eol)
      return error("line without a colon: '" + line_excerpt(p, eol) + "'",
                   "expected 'Field: value'");
    if (colon == p) return error("empty field name", "expected 'Field: value'");
    std::string_view name(p, static_cast<size_t>(colon - p));
    if (blank)
      return error("field name '" + std::string(name) + "' contains whitespace",
                   "expected 'Field: value'");
    close_field();
    for (const Field& f : fields_)
      if (core::iequals(f.name, name)) return error("duplicate field '" + std::string(name) + "'");
    if (fields_.empty()) {
      stanza_begin_ = p;
      stanza_line_ = line_;
    }
    const char* v = colon + 1;
    while (v < eol && core::is_blank(*v)) ++v;
    value_begin_ = v;
    value_end_ = eol;
    fields_.push_back(Field{name, {}});
    return {};
  }

  // Sets the open field's value once its last continuation line is known.
  void close_field() {
    if (fields_.empty()) return;
    const char* e = value_end_;
    while (e > value_begin_ && core::is_blank(e[-1])) --e;
    fields_.back().value = std::string_view(value_begin_, static_cast<size_t>(e - value_begin_));
    stanza_end_ = value_end_;
  }

  core::Status finish_paragraph() {
    after_comment_ = false;
    if (para_.fields.empty()) return {};
    close_field();
    para_.raw = std::string_view(stanza_begin_, static_cast<size_t>(stanza_end_ - stanza_begin_));
    para_.line = stanza_line_;
    core::Status st = sink_(para_);
    // The field vector is scratch, reused for every stanza.
    para_.fields.clear();
    return st;
  }

  core::Status error(std::string what, std::string hint = {}) const {
    return core::make_error(std::string(where_) + ":" + std::to_string(line_), std::move(what),
                            std::move(hint));
  }

  const char* begin_;
  const char* end_;
  std::string_view where_;
  const ParagraphSink& sink_;
  Paragraph para_;
  std::vector<Field>& fields_ = para_.fields;
  size_t line_ = 0;
  size_t stanza_line_ = 0;
  const char* stanza_begin_ = nullptr;
  const char* stanza_end_ = nullptr;
  const char* value_begin_ = nullptr;
  const char* value_end_ = nullptr;
  bool after_comment_ = false;
};

}  // namespace

std::optional<std::string_view> Paragraph::get(std::string_view name) const {
  for (const Field& f : fields)
    if (core::iequals(f.name, name)) return f.value;
  return std::nullopt;
}

std::string_view Paragraph::get_or(std::string_view name, std::string_view fallback) const {
  auto v = get(name);
  return v ? *v : fallback;
}

core::Result<Deb822Document> Deb822Document::parse(std::string text, std::string_view where) {
  Deb822Document doc;
  doc.text_ = std::make_unique<std::string>(std::move(text));
  std::string& body = *doc.text_;
  normalise_line_ends(body);
  auto& out = doc.paragraphs_;
  DISTILL_TRY(for_each_paragraph(body, where, [&out](const Paragraph& p) {
    Paragraph copy;
    // One exact-size allocation per stanza.
    copy.fields.assign(p.fields.begin(), p.fields.end());
    copy.raw = p.raw;
    copy.line = p.line;
    out.push_back(std::move(copy));
    return core::Status::Ok();
  }));
  return doc;
}

void normalise_line_ends(std::string& text) {
  if (std::memchr(text.data(), '\r', text.size())) normalise_crlf(text);
}

core::Status for_each_paragraph(std::string_view text, std::string_view where,
                                const ParagraphSink& sink) {
  return Parser(text, where, sink).run();
}

std::string fold_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::string_view line : value_lines(value)) {
    if (line.empty()) continue;
    if (!out.empty()) out += ' ';
    out += line;
  }
  return out;
}

std::vector<std::string_view> value_lines(std::string_view value) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  bool first = true;
  while (start <= value.size()) {
    size_t nl = value.find('\n', start);
    size_t stop = nl == std::string_view::npos ? value.size() : nl;
    std::string_view line = core::trim_blanks(value.substr(start, stop - start));
    if (!first || !line.empty()) lines.push_back(line);
    first = false;
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

}  // namespace distill::debian
