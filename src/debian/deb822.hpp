#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::debian {

// One "Name: value" field. Views point into the Deb822Document's buffer.
// `value` has the leading space after the colon removed and keeps continuation
// lines verbatim (newline, then the line's leading whitespace included), with
// the trailing newline dropped.
struct Field {
  std::string_view name;
  std::string_view value;
};

struct Paragraph {
  std::vector<Field> fields;
  std::string_view raw;  // the stanza's exact text, without the blank line after it
  size_t line = 0;       // 1-based line of the first field

  // Field names compare case-insensitively, as dpkg does.
  std::optional<std::string_view> get(std::string_view name) const;
  std::string_view get_or(std::string_view name, std::string_view fallback = {}) const;
};

// A parsed deb822 file (Packages, Release, control, .sources). Owns the text,
// so the views stay valid as long as the document lives.
class Deb822Document {
 public:
  // `where` names the source in errors ("bookworm/main/amd64 Packages").
  // Accepts CRLF, comment lines starting with '#', any number of blank lines.
  // Rejects a continuation line before any field, a line without a colon, an
  // empty field name and duplicate fields in one stanza, with file:line.
  static core::Result<Deb822Document> parse(std::string text, std::string_view where);

  Deb822Document(Deb822Document&&) noexcept = default;
  Deb822Document& operator=(Deb822Document&&) noexcept = default;
  Deb822Document(const Deb822Document&) = delete;
  Deb822Document& operator=(const Deb822Document&) = delete;

  const std::vector<Paragraph>& paragraphs() const { return paragraphs_; }
  const std::string& text() const { return text_; }

 private:
  Deb822Document() = default;
  std::string text_;
  std::vector<Paragraph> paragraphs_;
};

// Joins a multi-line value's lines with single spaces (for folded fields such
// as Depends).
std::string fold_value(std::string_view value);

// Splits a multiline field (SHA256 in Release, Description) into its lines,
// the first line included only when non-empty, each line trimmed.
std::vector<std::string_view> value_lines(std::string_view value);

}  // namespace distill::debian
