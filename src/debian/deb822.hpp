#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::debian {

// One "Name: value" field. Views point into the Deb822Document's buffer.
// `value` has the blanks after the colon and at its very end removed and keeps
// continuation lines verbatim (newline, then the line's leading whitespace
// included), with the trailing newline dropped. "Field:" alone is an empty value.
struct Field {
  std::string_view name;
  std::string_view value;
};

struct Paragraph {
  std::vector<Field> fields;
  // The stanza's exact text (comment lines between its fields included) from
  // its first field to the end of its last field, without the final newline.
  std::string_view raw;
  size_t line = 0;  // 1-based line of the first field

  // Field names compare case-insensitively, as dpkg does.
  std::optional<std::string_view> get(std::string_view name) const;
  std::string_view get_or(std::string_view name, std::string_view fallback = {}) const;
};

// A parsed deb822 file (Packages, Release, control, .sources). Owns the text,
// so the views stay valid as long as the document lives, moves included (the
// text sits on the heap: a moved short std::string would take its inline
// buffer, and the views' target, with it).
class Deb822Document {
 public:
  // `where` names the source in errors ("bookworm/main/amd64 Packages").
  // Accepts CRLF (turned into LF), comment lines starting with '#', any number
  // of blank or whitespace-only lines between stanzas. Rejects, with
  // "<where>:<line>", a continuation line before any field or right after a
  // comment line, a line without a colon, an empty field name or one holding
  // whitespace, and duplicate fields (case-insensitively) in one stanza.
  static core::Result<Deb822Document> parse(std::string text, std::string_view where);

  Deb822Document(Deb822Document&&) noexcept = default;
  Deb822Document& operator=(Deb822Document&&) noexcept = default;
  Deb822Document(const Deb822Document&) = delete;
  Deb822Document& operator=(const Deb822Document&) = delete;

  const std::vector<Paragraph>& paragraphs() const { return paragraphs_; }
  // The parsed text, CRLF already turned into LF. Not for moved-from documents.
  const std::string& text() const { return *text_; }

 private:
  Deb822Document() = default;
  std::unique_ptr<std::string> text_;
  std::vector<Paragraph> paragraphs_;
};

// The streaming form of Deb822Document::parse, with the same rules, for
// callers that keep their own view of each stanza (a 60k-stanza Packages index
// need not hold every field of every stanza). `text` must be LF-terminated
// (see normalise_line_ends). The Paragraph passed to `sink` and its fields are
// valid only during the call; its views point into `text`. A sink's error
// stops the walk and is returned.
using ParagraphSink = std::function<core::Status(const Paragraph&)>;
core::Status for_each_paragraph(std::string_view text, std::string_view where,
                                const ParagraphSink& sink);

// Rewrites CRLF line ends to LF in place (cheap when there are none).
void normalise_line_ends(std::string& text);

// Joins a multi-line value's lines with single spaces (for folded fields such
// as Depends).
std::string fold_value(std::string_view value);

// Splits a multiline field (SHA256 in Release, Description) into its lines,
// the first line included only when non-empty, each line trimmed.
std::vector<std::string_view> value_lines(std::string_view value);

}  // namespace distill::debian
