#include "debian/deb822.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

using namespace distill::debian;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

Deb822Document parse_ok(std::string text) {
  auto doc = Deb822Document::parse(std::move(text), "test");
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message());
  if (!doc.ok()) return Deb822Document::parse("", "empty").value();
  return std::move(doc).value();
}

distill::core::Error parse_error(std::string text, std::string_view where = "idx") {
  auto doc = Deb822Document::parse(std::move(text), where);
  EXPECT_FALSE(doc.ok());
  if (doc.ok()) return {};
  return doc.error();
}

}  // namespace

TEST(Deb822, ParsesStanzasAndFields) {
  auto doc = parse_ok(
      "Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\n\n"
      "Package: zlib1g\nVersion: 1:1.2.13.dfsg-1\n");
  ASSERT_EQ(doc.paragraphs().size(), 2u);
  const Paragraph& a = doc.paragraphs()[0];
  ASSERT_EQ(a.fields.size(), 3u);
  EXPECT_EQ(a.fields[0].name, "Package");
  EXPECT_EQ(a.fields[0].value, "libc6");
  EXPECT_EQ(a.fields[2].name, "Architecture");
  EXPECT_EQ(a.fields[2].value, "amd64");
  EXPECT_EQ(a.line, 1u);
  const Paragraph& b = doc.paragraphs()[1];
  EXPECT_EQ(b.line, 5u);
  EXPECT_EQ(b.get_or("Version"), "1:1.2.13.dfsg-1");
}

TEST(Deb822, ViewsPointIntoTheOwnedText) {
  auto doc = parse_ok("Package: a\nDepends: b\n");
  const std::string& text = doc.text();
  std::string_view v = doc.paragraphs()[0].fields[1].value;
  EXPECT_GE(v.data(), text.data());
  EXPECT_LE(v.data() + v.size(), text.data() + text.size());
  // Moving the document keeps the views valid (the buffer moves with it).
  Deb822Document moved = std::move(doc);
  EXPECT_EQ(moved.paragraphs()[0].get_or("Depends"), "b");
}

TEST(Deb822, ViewsSurviveMovesOfShortDocuments) {
  // Short enough for std::string's inline buffer: the views must not follow it.
  auto parsed = Deb822Document::parse("A: b", "short");
  ASSERT_TRUE(parsed.ok());
  Deb822Document doc = std::move(parsed).value();
  Deb822Document again = std::move(doc);
  ASSERT_EQ(again.paragraphs().size(), 1u);
  EXPECT_EQ(again.paragraphs()[0].raw, "A: b");
  EXPECT_EQ(again.paragraphs()[0].get_or("A"), "b");
  EXPECT_EQ(again.paragraphs()[0].raw.data(), again.text().data());
}

TEST(Deb822, GetIsCaseInsensitive) {
  auto doc = parse_ok("Package: a\nPre-Depends: libc6\n");
  const Paragraph& p = doc.paragraphs()[0];
  EXPECT_EQ(p.get("pre-depends").value_or("?"), "libc6");
  EXPECT_EQ(p.get("PRE-DEPENDS").value_or("?"), "libc6");
  EXPECT_EQ(p.get("package").value_or("?"), "a");
  EXPECT_FALSE(p.get("Depends").has_value());
  EXPECT_FALSE(p.get("Pre-Depend").has_value());
  EXPECT_EQ(p.get_or("Depends", "none"), "none");
}

TEST(Deb822, ContinuationLinesAreKeptVerbatim) {
  auto doc = parse_ok(
      "Package: a\n"
      "Description: short\n"
      " long line one\n"
      " .\n"
      "\tindented with tab\n"
      "Depends: b,\n"
      "  c\n");
  const Paragraph& p = doc.paragraphs()[0];
  EXPECT_EQ(p.get_or("Description"), "short\n long line one\n .\n\tindented with tab");
  EXPECT_EQ(p.get_or("Depends"), "b,\n  c");
  EXPECT_EQ(fold_value(p.get_or("Depends")), "b, c");
  EXPECT_THAT(value_lines(p.get_or("Description")),
              ElementsAre("short", "long line one", ".", "indented with tab"));
}

TEST(Deb822, MultilineFieldWithEmptyFirstLine) {
  auto doc = parse_ok(
      "SHA256:\n"
      " abc 10 main/binary-amd64/Packages\n"
      " def 20 main/binary-amd64/Packages.xz\n");
  std::string_view v = doc.paragraphs()[0].get_or("SHA256");
  EXPECT_EQ(v, "\n abc 10 main/binary-amd64/Packages\n def 20 main/binary-amd64/Packages.xz");
  EXPECT_THAT(value_lines(v), ElementsAre("abc 10 main/binary-amd64/Packages",
                                          "def 20 main/binary-amd64/Packages.xz"));
  EXPECT_EQ(fold_value(v),
            "abc 10 main/binary-amd64/Packages def 20 main/binary-amd64/Packages.xz");
}

TEST(Deb822, ValueWhitespaceIsTrimmedAtTheEdges) {
  auto doc = parse_ok("A:   spaced  \nB:\tx\nC:y\n");
  const Paragraph& p = doc.paragraphs()[0];
  EXPECT_EQ(p.get_or("A"), "spaced");
  EXPECT_EQ(p.get_or("B"), "x");
  EXPECT_EQ(p.get_or("C"), "y");
}

TEST(Deb822, CommentLinesAreSkipped) {
  auto doc = parse_ok(
      "# leading comment\n"
      "Types: deb\n"
      "# between fields\n"
      "URIs: http://127.0.0.1/debian\n"
      "# trailing comment\n"
      "\n"
      "# comment-only stanza\n"
      "\n"
      "Types: deb-src\n");
  ASSERT_EQ(doc.paragraphs().size(), 2u);
  const Paragraph& p = doc.paragraphs()[0];
  ASSERT_EQ(p.fields.size(), 2u);
  EXPECT_EQ(p.get_or("URIs"), "http://127.0.0.1/debian");
  EXPECT_EQ(p.line, 2u);
  EXPECT_EQ(doc.paragraphs()[1].line, 9u);
  EXPECT_EQ(doc.paragraphs()[1].get_or("Types"), "deb-src");
}

TEST(Deb822, HashInsideAContinuationIsData) {
  auto doc = parse_ok("Description: x\n # not a comment\n");
  EXPECT_EQ(doc.paragraphs()[0].get_or("Description"), "x\n # not a comment");
}

TEST(Deb822, CrlfIsNormalised) {
  auto doc = parse_ok("Package: a\r\nDescription: d\r\n more\r\n\r\nPackage: b\r\n");
  ASSERT_EQ(doc.paragraphs().size(), 2u);
  EXPECT_EQ(doc.paragraphs()[0].get_or("Package"), "a");
  EXPECT_EQ(doc.paragraphs()[0].get_or("Description"), "d\n more");
  EXPECT_EQ(doc.paragraphs()[0].raw, "Package: a\nDescription: d\n more");
  EXPECT_EQ(doc.paragraphs()[1].get_or("Package"), "b");
  EXPECT_EQ(doc.paragraphs()[1].line, 5u);
  EXPECT_EQ(doc.text().find('\r'), std::string::npos);
}

TEST(Deb822, BlankAndWhitespaceOnlyLinesSeparate) {
  auto doc = parse_ok("\n\n\nA: 1\n\n\n  \n\t\n \t \nA: 2\n\n\n");
  ASSERT_EQ(doc.paragraphs().size(), 2u);
  EXPECT_EQ(doc.paragraphs()[0].get_or("A"), "1");
  EXPECT_EQ(doc.paragraphs()[0].line, 4u);
  EXPECT_EQ(doc.paragraphs()[1].get_or("A"), "2");
  EXPECT_EQ(doc.paragraphs()[1].line, 10u);
}

TEST(Deb822, EmptyInputsHaveNoParagraphs) {
  EXPECT_TRUE(parse_ok("").paragraphs().empty());
  EXPECT_TRUE(parse_ok("\n\n").paragraphs().empty());
  EXPECT_TRUE(parse_ok("# only\n# comments\n").paragraphs().empty());
}

TEST(Deb822, NoTrailingNewline) {
  auto doc = parse_ok("A: 1\nB: 2");
  EXPECT_EQ(doc.paragraphs()[0].get_or("B"), "2");
  EXPECT_EQ(doc.paragraphs()[0].raw, "A: 1\nB: 2");
}

TEST(Deb822, EmptyFieldValueIsValid) {
  auto doc = parse_ok("Package: a\nDepends:\nProvides:   \nVersion: 1\n");
  const Paragraph& p = doc.paragraphs()[0];
  ASSERT_TRUE(p.get("Depends").has_value());
  EXPECT_EQ(*p.get("Depends"), "");
  EXPECT_EQ(*p.get("Provides"), "");
  EXPECT_EQ(p.get_or("Version"), "1");
  EXPECT_TRUE(value_lines("").empty());
  EXPECT_EQ(fold_value(""), "");
}

TEST(Deb822, HugeFieldValue) {
  // A multi-megabyte single-line value and a multi-megabyte folded one.
  std::string big(4 << 20, 'x');
  std::string text = "Package: a\nBig: " + big + "\nFolded: start\n";
  std::string folded_expected = "start";
  for (int i = 0; i < 100000; ++i) {
    std::string line = "line" + std::to_string(i) + "-" + std::string(30, 'y');
    text += " " + line + "\n";
    folded_expected += " " + line;
  }
  text += "Tail: end\n";
  auto doc = parse_ok(text);
  const Paragraph& p = doc.paragraphs()[0];
  EXPECT_EQ(p.get_or("Big").size(), big.size());
  EXPECT_EQ(p.get_or("Big"), big);
  EXPECT_GT(p.get_or("Folded").size(), 3u << 20);
  EXPECT_EQ(fold_value(p.get_or("Folded")), folded_expected);
  EXPECT_EQ(value_lines(p.get_or("Folded")).size(), 100001u);
  EXPECT_EQ(p.get_or("Tail"), "end");
}

TEST(Deb822, RawIsTheExactStanzaText) {
  std::string s1 =
      "Package: a\n# kept: comments inside a stanza are part of its text\nDescription: x\n y";
  std::string s2 = "Package: b\nVersion: 1";
  auto doc = parse_ok("# header\n" + s1 + "\n# after\n\n\n" + s2 + "\n");
  ASSERT_EQ(doc.paragraphs().size(), 2u);
  EXPECT_EQ(doc.paragraphs()[0].raw, s1);
  EXPECT_EQ(doc.paragraphs()[1].raw, s2);
}

TEST(Deb822, LineWithoutColonIsAnError) {
  auto e = parse_error("Package: a\nVersion: 1\n\nPackage: b\ngarbage here\n", "bookworm Packages");
  EXPECT_EQ(e.where, "bookworm Packages:5");
  EXPECT_THAT(e.what, HasSubstr("without a colon: 'garbage here'"));
}

TEST(Deb822, ContinuationAtStanzaStartIsAnError) {
  auto e = parse_error("A: 1\n\n continued\n");
  EXPECT_EQ(e.where, "idx:3");
  EXPECT_THAT(e.what, HasSubstr("continuation line before any field"));
  auto first = parse_error(" leading\nA: 1\n");
  EXPECT_EQ(first.where, "idx:1");
}

TEST(Deb822, ContinuationAfterCommentIsAnError) {
  auto e = parse_error("A: 1\n# c\n more\n");
  EXPECT_EQ(e.where, "idx:3");
  EXPECT_THAT(e.what, HasSubstr("after a comment"));
  auto before_first = parse_error("# c\n more\nA: 1\n");
  EXPECT_EQ(before_first.where, "idx:2");
}

TEST(Deb822, EmptyFieldNameIsAnError) {
  auto e = parse_error("A: 1\n: value\n");
  EXPECT_EQ(e.where, "idx:2");
  EXPECT_THAT(e.what, HasSubstr("empty field name"));
}

TEST(Deb822, WhitespaceInFieldNameIsAnError) {
  auto e = parse_error("A: 1\nBad Name: value\n");
  EXPECT_EQ(e.where, "idx:2");
  EXPECT_THAT(e.what, HasSubstr("'Bad Name'"));
}

TEST(Deb822, DuplicateFieldIsAnError) {
  auto e = parse_error("Package: a\nVersion: 1\n\nPackage: b\nVersion: 1\nversion: 2\n");
  EXPECT_EQ(e.where, "idx:6");
  EXPECT_THAT(e.what, HasSubstr("duplicate field 'version'"));
  // The same field in different stanzas is fine.
  EXPECT_EQ(parse_ok("A: 1\n\nA: 2\n").paragraphs().size(), 2u);
}

TEST(Deb822, ErrorLineNumbersCountCrlfLines) {
  auto e = parse_error("A: 1\r\n\r\nB: 2\r\nbroken\r\n");
  EXPECT_EQ(e.where, "idx:4");
}

TEST(Deb822, FoldValueSkipsBlankLines) {
  EXPECT_EQ(fold_value("a,\n b,\n\n  c"), "a, b, c");
  EXPECT_EQ(fold_value("  single  "), "single");
  EXPECT_THAT(value_lines("first\n second \n"), ElementsAre("first", "second", ""));
}

TEST(Deb822, StreamsParagraphsWithTheSameRules) {
  const std::string text = "A: 1\nB: two\n lines\n\n# note\nC: 3\n\n\nD: 4\n";
  std::vector<std::string> seen;
  auto st = for_each_paragraph(text, "idx", [&](const Paragraph& p) {
    std::string s = std::to_string(p.line) + ":";
    for (const Field& f : p.fields) s += std::string(f.name) + "=" + std::string(f.value) + ";";
    seen.push_back(s);
    return distill::core::Status::Ok();
  });
  ASSERT_TRUE(st.ok());
  EXPECT_THAT(seen, ElementsAre("1:A=1;B=two\n lines;", "6:C=3;", "9:D=4;"));

  // A sink's error stops the walk and comes back unchanged.
  int calls = 0;
  st = for_each_paragraph(text, "idx", [&](const Paragraph&) {
    ++calls;
    return distill::core::Status(distill::core::make_error("sink", "stop"));
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_THAT(st.error().message(), HasSubstr("stop"));

  // Syntax errors name the line, as parse() does.
  st = for_each_paragraph("A: 1\nbroken\n", "idx",
                          [](const Paragraph&) { return distill::core::Status::Ok(); });
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error().message(), HasSubstr("idx:2"));
}

TEST(Deb822, NormalisesCrlfLineEnds) {
  std::string text = "A: 1\r\nB: 2\r\n";
  normalise_line_ends(text);
  EXPECT_EQ(text, "A: 1\nB: 2\n");
}
