#include "core/ignore_patterns.hpp"

#include <gtest/gtest.h>

#include <string>

namespace distill::core {
namespace {

IgnorePatterns ignore_file(const std::string& text) {
  auto p = IgnorePatterns::parse(text, ".distillignore");
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().what);
  return p.ok() ? std::move(*p) : IgnorePatterns();
}

TEST(IgnorePatternMatch, StarAndQuestionMarkStopAtSlash) {
  EXPECT_TRUE(ignore_pattern_matches("*.pyc", "x.pyc"));
  EXPECT_FALSE(ignore_pattern_matches("*.pyc", "a/x.pyc"));
  EXPECT_TRUE(ignore_pattern_matches("a/*/c", "a/b/c"));
  EXPECT_FALSE(ignore_pattern_matches("a/*/c", "a/b/b/c"));
  EXPECT_TRUE(ignore_pattern_matches("?.txt", "a.txt"));
  EXPECT_FALSE(ignore_pattern_matches("?.txt", "ab.txt"));
  EXPECT_FALSE(ignore_pattern_matches("a?b", "a/b"));
  EXPECT_TRUE(ignore_pattern_matches("?", "\xC3\xA9"));  // one character, two bytes
}

TEST(IgnorePatternMatch, DoubleStarMatchesAnyFolders) {
  EXPECT_TRUE(ignore_pattern_matches("**/*.pyc", "x.pyc"));
  EXPECT_TRUE(ignore_pattern_matches("**/*.pyc", "a/b/x.pyc"));
  EXPECT_TRUE(ignore_pattern_matches("a/**/z", "a/z"));
  EXPECT_TRUE(ignore_pattern_matches("a/**/z", "a/b/c/z"));
  EXPECT_FALSE(ignore_pattern_matches("a/**/z", "b/a/z"));
  EXPECT_TRUE(ignore_pattern_matches("a/**", "a/b/c"));
  EXPECT_FALSE(ignore_pattern_matches("a/**", "a"));
  EXPECT_TRUE(ignore_pattern_matches("**", "any/thing"));
  // Not moby's suffix shortcut: "**/foo" names foo, not every name ending in foo.
  EXPECT_FALSE(ignore_pattern_matches("**/foo", "barfoo"));
}

TEST(IgnorePatternMatch, ClassesAndEscapes) {
  EXPECT_TRUE(ignore_pattern_matches("x[a-c]y", "xby"));
  EXPECT_FALSE(ignore_pattern_matches("x[a-c]y", "xdy"));
  EXPECT_TRUE(ignore_pattern_matches("x[^a-c]y", "xdy"));
  EXPECT_FALSE(ignore_pattern_matches("x[^a-c]y", "xay"));
  EXPECT_FALSE(ignore_pattern_matches("x[^a]y", "x/y"));
  EXPECT_TRUE(ignore_pattern_matches("[\\]]", "]"));
  EXPECT_TRUE(ignore_pattern_matches("\\*", "*"));
  EXPECT_FALSE(ignore_pattern_matches("\\*", "a"));
  EXPECT_TRUE(ignore_pattern_matches("a\\?", "a?"));
  EXPECT_FALSE(ignore_pattern_matches("a\\?", "ab"));
}

TEST(IgnorePatterns, BadPatternsAreRefusedWithTheirLine) {
  for (const char* bad : {"[", "x[a", "[]", "[a-]", "[-a]", "a\\", "!"}) {
    auto p =
        IgnorePatterns::parse(std::string("# comment\n\nok\n") + bad + "\n", "/x/.distillignore");
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.error().where, "/x/.distillignore:4") << bad;
  }
  IgnorePatterns p;
  EXPECT_FALSE(p.add("").ok());
  EXPECT_FALSE(p.add("  ").ok());
}

TEST(IgnorePatterns, CommentsBlankLinesAndCleaning) {
  auto p = ignore_file("\xEF\xBB\xBF# a comment\n\n  \n/build/\n./dist//x/../y\n  logs  \n");
  EXPECT_TRUE(p.excluded("build"));
  EXPECT_TRUE(p.excluded("build/out.o"));
  EXPECT_TRUE(p.excluded("dist/y"));
  EXPECT_FALSE(p.excluded("dist/x"));
  EXPECT_TRUE(p.excluded("logs/today"));
  EXPECT_FALSE(p.excluded("# a comment"));
  EXPECT_FALSE(p.excluded("src/build"));
  // Only the first column starts a comment, as docker reads it.
  EXPECT_TRUE(ignore_file(" #x\n").excluded("#x"));
}

TEST(IgnorePatterns, LaterLinesWinAndNegationReIncludes) {
  auto p = ignore_file("*.md\n!README.md\n");
  EXPECT_TRUE(p.excluded("CHANGES.md"));
  EXPECT_FALSE(p.excluded("README.md"));
  auto q = ignore_file("!README.md\n*.md\n");
  EXPECT_TRUE(q.excluded("README.md"));
  auto r = ignore_file("**/*.pyc\n!keep/**\nkeep/drop.pyc\n");
  EXPECT_TRUE(r.excluded("a/b/x.pyc"));
  EXPECT_FALSE(r.excluded("keep/x.pyc"));
  EXPECT_TRUE(r.excluded("keep/drop.pyc"));
}

TEST(IgnorePatterns, ExcludedFolderWithAReIncludedChild) {
  auto p = ignore_file(".git\n!.git/HEAD\n");
  EXPECT_TRUE(p.excluded(".git"));
  EXPECT_TRUE(p.excluded(".git/config"));
  EXPECT_TRUE(p.excluded(".git/objects/ab/cd"));
  EXPECT_FALSE(p.excluded(".git/HEAD"));
  EXPECT_TRUE(p.may_reinclude_below(".git"));
  EXPECT_FALSE(p.may_reinclude_below(".git/objects"));
  EXPECT_FALSE(p.may_reinclude_below("src"));
  // A wildcard negation may reach below any folder its start matches.
  auto q = ignore_file("vendor\n!**/LICENSE\n");
  EXPECT_TRUE(q.may_reinclude_below("vendor"));
  EXPECT_FALSE(q.excluded("vendor/x/LICENSE"));
  EXPECT_TRUE(q.excluded("vendor/x/main.go"));
  auto r = ignore_file("data\n!data/keep*\n");
  EXPECT_TRUE(r.may_reinclude_below("data"));
  EXPECT_FALSE(r.may_reinclude_below("data/x"));
  EXPECT_FALSE(r.excluded("data/keep.txt"));
  EXPECT_FALSE(ignore_file("data\n").may_reinclude_below("data"));
}

TEST(IgnorePatterns, SkippedParentsDoNotExclude) {
  auto p = ignore_file("build\n");
  EXPECT_TRUE(p.excluded("build/x"));
  EXPECT_FALSE(p.excluded("build/x", 1));
  EXPECT_TRUE(ignore_file("build/*\n").excluded("build/x", 1));
}

TEST(IgnorePatterns, LongPathsAndManyStarsStayLinear) {
  std::string path(4000, 'a');
  auto p = ignore_file("*a*a*a*a*a*a*a*a*a*a*a*b\n");
  EXPECT_FALSE(p.excluded(path));
}

}  // namespace
}  // namespace distill::core
