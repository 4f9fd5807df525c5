#include "core/strings.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace distill::core {
namespace {

using ::testing::ElementsAre;

TEST(StringsTest, LowerAndUpperTouchOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("Content-Type: X9_\xC3\x89"), "content-type: x9_\xC3\x89");
  EXPECT_EQ(ascii_upper("cap_net_admin-\xC3\xA9"), "CAP_NET_ADMIN-\xC3\xA9");
  EXPECT_EQ(ascii_lower(""), "");
  static_assert(ascii_lower('Q') == 'q' && ascii_lower('[') == '[');
  static_assert(ascii_upper('q') == 'Q' && ascii_upper('`') == '`');
}

TEST(StringsTest, IequalsIgnoresAsciiCaseOnly) {
  EXPECT_TRUE(iequals("Package", "package"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Package", "packages"));
  EXPECT_FALSE(iequals("\xC3\x89", "\xC3\xA9"));
  static_assert(iequals("SHA256", "sha256"));
}

TEST(StringsTest, SplitWordsSplitsAtAnyWhitespace) {
  EXPECT_THAT(split_words("  main contrib\tnon-free\n\r firmware  "),
              ElementsAre("main", "contrib", "non-free", "firmware"));
  EXPECT_TRUE(split_words("").empty());
  EXPECT_TRUE(split_words(" \t\n").empty());
  EXPECT_THAT(split_words("one"), ElementsAre("one"));
}

TEST(StringsTest, JoinTakesAnyRangeOfStrings) {
  EXPECT_EQ(join(std::vector<std::string>{"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join(std::vector<std::string_view>{"x"}, ", "), "x");
  EXPECT_EQ(join(std::vector<std::string>{}, ", "), "");
  EXPECT_EQ(join(std::set<std::string>{"b", "a"}, " "), "a b");
  EXPECT_EQ(join(std::vector<std::string>{"", ""}, "/"), "/");
}

}  // namespace
}  // namespace distill::core
