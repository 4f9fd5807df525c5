#include "core/file_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace distill::core {
namespace {

using ::testing::ElementsAre;

TEST(PathComponents, DropsEmptyAndDotComponents) {
  EXPECT_THAT(path_components("./a//b/"), ElementsAre("a", "b"));
  EXPECT_THAT(path_components("/usr/bin/env"), ElementsAre("usr", "bin", "env"));
  EXPECT_THAT(path_components("a/../b"), ElementsAre("a", "..", "b"));
  EXPECT_TRUE(path_components("").empty());
  EXPECT_TRUE(path_components("/./").empty());
}

TEST(NormalizeRelativePath, JoinsComponentsAndRefusesDotDot) {
  EXPECT_EQ(normalize_relative_path("./a//b/"), "a/b");
  EXPECT_EQ(normalize_relative_path("."), "");
  EXPECT_EQ(normalize_relative_path("a/../b"), std::nullopt);
}

}  // namespace
}  // namespace distill::core
