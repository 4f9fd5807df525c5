#include "core/lines.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace distill::core {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> all_lines(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view line : lines(text)) out.emplace_back(line);
  return out;
}

TEST(LinesTest, SplitsAtNewlinesWithoutTheNewline) {
  EXPECT_THAT(all_lines("a\nb"), ElementsAre("a", "b"));
  EXPECT_THAT(all_lines("a\nb\n"), ElementsAre("a", "b"));
  EXPECT_THAT(all_lines("a\n\nb"), ElementsAre("a", "", "b"));
  EXPECT_THAT(all_lines("\n"), ElementsAre(""));
}

TEST(LinesTest, EmptyTextHasNoLines) {
  EXPECT_TRUE(all_lines("").empty());
}

TEST(LinesTest, KeepsCarriageReturnsForTheCallerToTrim) {
  EXPECT_THAT(all_lines("a\r\nb\r\n"), ElementsAre("a\r", "b\r"));
}

TEST(LinesTest, LinesAreViewsIntoTheText) {
  std::string text = "first\nsecond";
  auto it = lines(text).begin();
  EXPECT_EQ((*it).data(), text.data());
  ++it;
  EXPECT_EQ((*it).data(), text.data() + 6);
  ++it;
  EXPECT_TRUE(it == lines(text).end());
}

}  // namespace
}  // namespace distill::core
