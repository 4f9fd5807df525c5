#include "core/file_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "core/temp_dir.hpp"

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

TEST(ResolvePath, ResolvesEveryLinkButTheLastComponent) {
  auto dir = TempDir::create({}, "distill-resolve");
  ASSERT_TRUE(dir.ok());
  auto real = resolve_path(dir->path());
  ASSERT_TRUE(real.ok());
  const std::string root = *real;
  ASSERT_TRUE(make_dirs(root + "/tree/sub").ok());
  ASSERT_EQ(::symlink("/etc", (root + "/tree/out").c_str()), 0);
  ASSERT_EQ(::symlink("sub", (root + "/tree/in").c_str()), 0);
  EXPECT_EQ(*resolve_path(root + "/tree/out/passwd"), "/etc/passwd");
  EXPECT_EQ(*resolve_path(root + "/tree/out"), root + "/tree/out");  // the link itself
  EXPECT_EQ(*resolve_path(root + "/tree/out/"), "/etc");
  EXPECT_EQ(*resolve_path(root + "/tree/in/x"), root + "/tree/sub/x");
  EXPECT_EQ(*resolve_path(root + "/tree/sub/../../tree/.."), root);
  EXPECT_EQ(*resolve_path("/etc"), "/etc");
  EXPECT_FALSE(resolve_path(root + "/missing/x").ok());
}

TEST(PathIsWithin, ComparesWholeComponents) {
  EXPECT_TRUE(path_is_within("/a/b", "/a"));
  EXPECT_TRUE(path_is_within("/a", "/a"));
  EXPECT_FALSE(path_is_within("/ab", "/a"));
  EXPECT_FALSE(path_is_within("/", "/a"));
  EXPECT_TRUE(path_is_within("/etc/shadow", "/"));
}

}  // namespace
}  // namespace distill::core
