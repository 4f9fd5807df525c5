#include "oci/platform.hpp"

#include <gtest/gtest.h>

using namespace distill::oci;

namespace {

TEST(Platform, MapsDebianArchitectures) {
  EXPECT_EQ(platform_for_debian_arch("amd64")->str(), "linux/amd64");
  EXPECT_EQ(platform_for_debian_arch("arm64")->str(), "linux/arm64/v8");
  EXPECT_EQ(platform_for_debian_arch("armhf")->str(), "linux/arm/v7");
  EXPECT_EQ(platform_for_debian_arch("i386")->str(), "linux/386");
  EXPECT_EQ(platform_for_debian_arch("ppc64el")->str(), "linux/ppc64le");
  EXPECT_EQ(platform_for_debian_arch("s390x")->str(), "linux/s390x");
  auto bad = platform_for_debian_arch("x86_64");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().where.find("x86_64"), std::string::npos);
}

TEST(Platform, Parses) {
  auto p = parse_platform("linux/arm64/v8");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (Platform{"linux", "arm64", "v8"}));
  EXPECT_EQ(parse_platform("linux/amd64")->variant, "");
  EXPECT_FALSE(parse_platform("linux").ok());
  EXPECT_FALSE(parse_platform("linux//v8").ok());
  EXPECT_FALSE(parse_platform("linux/arm/v7/x").ok());
  EXPECT_FALSE(parse_platform("linux/amd64/").ok());
}

}  // namespace
