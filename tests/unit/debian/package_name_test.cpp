#include "debian/package_name.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace distill::debian {
namespace {

using ::testing::HasSubstr;

TEST(PackageName, FollowsDebianPolicy) {
  for (const char* ok : {"libc6", "g++", "libstdc++6", "python3.11-minimal", "0ad"})
    EXPECT_TRUE(is_valid_package_name(ok)) << ok;
  for (const char* bad : {"", "Evil", "-lead", ".hidden", "a/b", "a_b", "a b", "..", "a\nb"})
    EXPECT_FALSE(is_valid_package_name(bad)) << bad;
}

TEST(PackageName, ArchitecturesAreLowercaseWords) {
  for (const char* ok : {"amd64", "arm64", "all", "x32", "kfreebsd-amd64"})
    EXPECT_TRUE(is_valid_architecture(ok)) << ok;
  for (const char* bad : {"", "AMD64", "../x", "amd64/", "-x"})
    EXPECT_FALSE(is_valid_architecture(bad)) << bad;
}

TEST(PackageName, VersionsAreCheckedAsDpkgDoes) {
  EXPECT_TRUE(check_package_id("t", "libc6", "2.36-9+deb12u4", "amd64").ok());
  EXPECT_TRUE(check_package_id("t", "tzdata", "1:2024a-0~deb12u1", "all").ok());
  for (const char* bad :
       {"1/../../x", "-garbage-~~~::", "12345678901234567890123456:1.0-1", " 1.0", "1.0-", ""}) {
    auto r = check_package_id("t", "libc6", bad, "amd64");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.error().what, HasSubstr("invalid version")) << bad;
  }
}

TEST(PackageName, DebFileNameIsOnePlainName) {
  EXPECT_EQ(*deb_file_name("tzdata", "1:2024a-0", "all"), "tzdata_1%2024a-0_all.deb");
  EXPECT_FALSE(deb_file_name("libc6", "1/../../x", "amd64").ok());
  EXPECT_FALSE(deb_file_name("../libc6", "1.0", "amd64").ok());
  EXPECT_FALSE(deb_file_name("libc6", "1.0", "amd64/../..").ok());
}

}  // namespace
}  // namespace distill::debian
