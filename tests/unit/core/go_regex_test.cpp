#include "core/go_regex.hpp"

#include <gtest/gtest.h>

#include <string>

namespace distill::core {
namespace {

bool go_match(std::string_view pattern, std::string_view text) {
  auto re = GoRegex::compile(pattern);
  EXPECT_TRUE(re.ok()) << pattern << ": " << (re.ok() ? "" : re.error().what);
  return re.ok() && re->search(text);
}

std::string go_compile_error(std::string_view pattern) {
  auto re = GoRegex::compile(pattern);
  return re.ok() ? "" : re.error().what;
}

// Each row was written against Go's documented regexp semantics.
TEST(GoRegex, AnchorsAreTextEndsUnlessMultiline) {
  EXPECT_TRUE(
      go_match("^root:x:0:0:root:/root:/sbin/nologin\n$", "root:x:0:0:root:/root:/sbin/nologin\n"));
  // `$` is \z in Go: it does not match before a final newline.
  EXPECT_FALSE(go_match("nologin$", "nologin\n"));
  EXPECT_TRUE(go_match("(?m)nologin$", "nologin\n"));
  EXPECT_FALSE(go_match("^b", "a\nb"));
  EXPECT_TRUE(go_match("(?m)^b", "a\nb"));
  EXPECT_TRUE(go_match("(?m)^$", "a\n"));  // after the final newline
  EXPECT_TRUE(go_match("\\Aa\\z", "a"));
  EXPECT_FALSE(go_match("(?m)\\Ab", "a\nb"));
}

TEST(GoRegex, DotSkipsNewlineUnlessDotAll) {
  EXPECT_FALSE(go_match("a.b", "a\nb"));
  EXPECT_TRUE(go_match("(?s)a.b", "a\nb"));
  EXPECT_TRUE(go_match("a.b", "a\rb"));  // only '\n' is special, unlike ECMAScript
  // distroless static: a leading .* then a literal newline.
  EXPECT_TRUE(go_match(".*\\nVERSION=\"Debian GNU/Linux 12 \\(bookworm\\)\"\\n",
                       "PRETTY_NAME=\"Distroless\"\nVERSION=\"Debian GNU/Linux 12 (bookworm)\"\n"));
}

TEST(GoRegex, TextIsUtf8CodePoints) {
  EXPECT_TRUE(go_match("h\\xe9llo", "h\xc3\xa9llo.txt"));
  EXPECT_TRUE(go_match("h\\x{e9}llo", "h\xc3\xa9llo"));
  EXPECT_TRUE(go_match("^h.llo$", "h\xc3\xa9llo"));
  EXPECT_FALSE(go_match("^h..llo$", "h\xc3\xa9llo"));
  EXPECT_TRUE(go_match("^h[^a]llo$", "h\xc3\xa9llo"));
  EXPECT_TRUE(go_match("^\xc3\xa9$", "\xc3\xa9"));
  // An invalid byte is one U+FFFD.
  EXPECT_TRUE(go_match("^a.b$",
                       "a\xff"
                       "b"));
  EXPECT_TRUE(go_match("\\x{FFFD}", "\xff"));
}

TEST(GoRegex, ClassesAndEscapes) {
  EXPECT_TRUE(go_match("^\\d+\\.\\d+$", "12.5"));
  EXPECT_FALSE(go_match("\\d", "\xd9\xa3"));  // ASCII digits only
  EXPECT_TRUE(go_match("^\\w+$", "a_Z9"));
  EXPECT_TRUE(go_match("^\\s$", "\t"));
  EXPECT_FALSE(go_match("^\\s$", "\v"));  // Go's \s has no \v
  EXPECT_TRUE(go_match("^[[:alpha:]]+[[:digit:]]$", "abc1"));
  EXPECT_TRUE(go_match("^[[:^digit:]]$", "x"));
  EXPECT_TRUE(go_match("^[]a]+$", "]a]"));
  EXPECT_TRUE(go_match("^[^]a]$", "b"));
  EXPECT_TRUE(go_match("^[a-c-]+$", "a-c"));
  EXPECT_TRUE(go_match("^[\\d\\-x]+$", "1-x"));
  EXPECT_TRUE(go_match("\\bword\\b", "a word here"));
  EXPECT_FALSE(go_match("\\bword\\b", "swordfish"));
  EXPECT_TRUE(go_match("\\Bor\\B", "word"));
  EXPECT_TRUE(go_match("^\\Q.*+\\E$", ".*+"));
  EXPECT_TRUE(go_match("^\\101\\0$", std::string_view("A\0", 2)));
  EXPECT_TRUE(go_match("C\\+\\+!", "Hello from distroless C++!"));
  EXPECT_TRUE(go_match("^[^\\n]*$", "no newline"));
  EXPECT_TRUE(go_match("^[^a]$", "\n"));  // negated classes take '\n' in Go
}

TEST(GoRegex, GroupsRepeatsAndFlags) {
  EXPECT_TRUE(go_match("^(ab)+$", "ababab"));
  EXPECT_TRUE(go_match("^(?:ab){2,3}$", "abababab") == false);
  EXPECT_TRUE(go_match("^(?:ab){2,3}$", "ababab"));
  EXPECT_TRUE(go_match("^a{2,}$", "aaaa"));
  EXPECT_TRUE(go_match("^a{3}$", "aaa"));
  EXPECT_TRUE(go_match("^a{,3}$", "a{,3}"));  // not a repeat: literal
  EXPECT_TRUE(go_match("^(?P<major>\\d+)\\.(?<minor>\\d+)$", "3.11"));
  EXPECT_TRUE(go_match("^a+?b*?c??$", "aabb"));
  EXPECT_TRUE(go_match("(?i)ubuntu", "Ubuntu"));
  EXPECT_TRUE(go_match("(?i:UB)untu", "ubuntu"));
  EXPECT_FALSE(go_match("(?i:UB)UNTU", "ubuntu"));
  EXPECT_TRUE(go_match("a(?i)B|c", "C"));  // the flag holds to the group's end
  EXPECT_FALSE(go_match("(a(?i)b)C", "abc"));
  EXPECT_TRUE(go_match("(?i)[^a-z]", "1"));
  EXPECT_FALSE(go_match("(?i)[^a-z]", "Q"));
  EXPECT_TRUE(go_match("(?U)a+", "aaa"));
  EXPECT_TRUE(go_match("(?ms-i)^b.c$", "a\nb\nc"));
  EXPECT_TRUE(go_match("^(|a)$", ""));
  EXPECT_TRUE(go_match("(a*)*b", "aab"));
  EXPECT_TRUE(go_match("", "anything"));
}

TEST(GoRegex, LongTextsAreLinear) {
  std::string big(200'000, 'a');  // a CA bundle's size
  EXPECT_FALSE(go_match("(a*)*b", big));
  EXPECT_TRUE(go_match(".*a$", big));
  big += "\n-----END CERTIFICATE-----\n";
  EXPECT_TRUE(go_match("(?s)^.*-----END CERTIFICATE-----\\n$", big));
}

TEST(GoRegex, WhatGoRejectsIsInvalid) {
  EXPECT_EQ(go_compile_error("(a)\\1"), "invalid escape sequence: `\\1`");
  EXPECT_EQ(go_compile_error("a(?=b)"), "invalid or unsupported Perl syntax: `(?=`");
  EXPECT_EQ(go_compile_error("a(?<!b)"), "invalid named capture: `(?<!b)`");
  EXPECT_EQ(go_compile_error("a\\Z"), "invalid escape sequence: `\\Z`");
  EXPECT_EQ(go_compile_error("a**"), "invalid nested repetition operator: `a**`");
  EXPECT_EQ(go_compile_error("*a"), "missing argument to repetition operator: `*`");
  EXPECT_EQ(go_compile_error("a{2,1}"), "invalid repeat count: `{2,1}`");
  EXPECT_EQ(go_compile_error("a{1001}"), "invalid repeat count: `{1001}`");
  EXPECT_EQ(go_compile_error("a)"), "unexpected )");
  EXPECT_EQ(go_compile_error("(a"), "missing closing ): `(a`");
  EXPECT_EQ(go_compile_error("[a"), "missing closing ]: `[a`");
  EXPECT_EQ(go_compile_error("[z-a]"), "invalid character class range: `z-a`");
  EXPECT_EQ(go_compile_error("a\\"), "trailing backslash at end of expression");
  EXPECT_EQ(go_compile_error("\\e"), "invalid escape sequence: `\\e`");
  EXPECT_EQ(go_compile_error("(?i-)a"), "invalid or unsupported Perl syntax: `(?i-)`");
  EXPECT_EQ(go_compile_error("[[:alfa:]]"), "invalid character class range: `[:alfa:]`");
  auto bad = GoRegex::compile("(a)\\1");
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(GoRegex::unsupported(bad.error()));
}

TEST(GoRegex, ValidGoThatDistillDoesNotRunIsRefused) {
  for (const char* p :
       {"\\pL", "\\p{Greek}", "[\\p{Lu}]", "(?i)\xc3\xa9t\xc3\xa9", "(?i)[\\x{80}-\\x{ff}]"}) {
    auto re = GoRegex::compile(p);
    ASSERT_FALSE(re.ok()) << p;
    EXPECT_TRUE(GoRegex::unsupported(re.error())) << p << ": " << re.error().what;
  }
  EXPECT_TRUE(GoRegex::compile("(?i)[^\\x{80}-\\x{ff}]x").ok() == false);
}

}  // namespace
}  // namespace distill::core
