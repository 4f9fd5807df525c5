#include "registry/reference.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace distill;
using registry::parse_reference;
using ::testing::HasSubstr;

namespace {

const std::string kDigest =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(ReferenceTest, ParsesHostPortRepositoryAndTag) {
  auto r = parse_reference("127.0.0.1:5000/team/app:v1.2");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->registry, "127.0.0.1:5000");
  EXPECT_EQ(r->repository, "team/app");
  EXPECT_EQ(r->tag, "v1.2");
  EXPECT_EQ(r->digest, "");
  EXPECT_EQ(r->identifier(), "v1.2");
  EXPECT_EQ(r->str(), "127.0.0.1:5000/team/app:v1.2");
}

TEST(ReferenceTest, DefaultsToLatestAndKeepsDigest) {
  auto plain = parse_reference("registry.example/app");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->identifier(), "latest");
  EXPECT_EQ(plain->tag, "");
  auto pinned = parse_reference("localhost:5000/app:1@" + kDigest);
  ASSERT_TRUE(pinned.ok()) << pinned.error().message();
  EXPECT_EQ(pinned->tag, "1");
  EXPECT_EQ(pinned->digest, kDigest);
  EXPECT_EQ(pinned->identifier(), kDigest);
  EXPECT_EQ(pinned->str(), "localhost:5000/app:1@" + kDigest);
}

TEST(ReferenceTest, ParsesIpv6Host) {
  auto r = parse_reference("[::1]:5000/app:t");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->registry, "[::1]:5000");
  EXPECT_EQ(r->repository, "app");
}

TEST(ReferenceTest, RefusesMalformedReferences) {
  EXPECT_THAT(parse_reference("app:latest").error().what, HasSubstr("registry host"));
  EXPECT_THAT(parse_reference("team/app").error().what, HasSubstr("registry host"));
  EXPECT_THAT(parse_reference("localhost:5000/App").error().what, HasSubstr("repository"));
  EXPECT_THAT(parse_reference("localhost:5000/app:-bad").error().what, HasSubstr("tag"));
  EXPECT_THAT(parse_reference("localhost:5000/app@sha256:abc").error().what, HasSubstr("digest"));
  EXPECT_THAT(parse_reference("localhost:5000/a//b").error().what, HasSubstr("repository"));
  EXPECT_THAT(parse_reference("localhost:99999x/a").error().what, HasSubstr("host"));
}

TEST(ReferenceTest, TellsReferencesFromPaths) {
  EXPECT_TRUE(registry::looks_like_reference("127.0.0.1:5000/app"));
  EXPECT_TRUE(registry::looks_like_reference("localhost/app"));
  EXPECT_TRUE(registry::looks_like_reference("registry.example/app:1"));
  EXPECT_FALSE(registry::looks_like_reference("out/image"));
  EXPECT_FALSE(registry::looks_like_reference("image.tar"));
  EXPECT_FALSE(registry::looks_like_reference("/abs/path"));
}

TEST(ReferenceTest, DetectsLoopbackHosts) {
  EXPECT_TRUE(registry::is_loopback("127.0.0.1:5000"));
  EXPECT_TRUE(registry::is_loopback("127.3.2.1"));
  EXPECT_TRUE(registry::is_loopback("localhost:5000"));
  EXPECT_TRUE(registry::is_loopback("[::1]:5000"));
  EXPECT_FALSE(registry::is_loopback("registry.example:5000"));
  EXPECT_FALSE(registry::is_loopback("10.0.0.1"));
  EXPECT_FALSE(registry::is_loopback("128.0.0.1"));
}

TEST(ReferenceTest, NormalizesLocalImageNames) {
  using registry::normalize_image_name;
  EXPECT_EQ(*normalize_image_name("app"), "app:latest");
  EXPECT_EQ(*normalize_image_name("team/app:v1"), "team/app:v1");
  EXPECT_EQ(*normalize_image_name("localhost:5000/app"), "localhost:5000/app:latest");
  EXPECT_EQ(*normalize_image_name("127.0.0.1:5000/app:2"), "127.0.0.1:5000/app:2");
  auto upper = normalize_image_name("MyApp:1");
  ASSERT_FALSE(upper.ok());
  EXPECT_EQ(upper.error().message(),
            "-t MyApp:1: 'MyApp' is not a valid image name (lowercase letters, digits and . _ - "
            "separators, '/' between parts)");
  auto digest = normalize_image_name("app@" + kDigest);
  ASSERT_FALSE(digest.ok());
  EXPECT_THAT(digest.error().message(), HasSubstr("a digest cannot be recorded as a name"));
  EXPECT_FALSE(normalize_image_name("app:").ok());
  EXPECT_FALSE(normalize_image_name("app:-x").ok());
  EXPECT_FALSE(normalize_image_name("").ok());
}

TEST(ReferenceTest, DebugVariantsNeverTakeTheProductionTag) {
  using registry::debug_variant;
  EXPECT_EQ(*debug_variant("app:1"), "app:1-debug");
  EXPECT_EQ(*debug_variant("app"), "app:debug");
  EXPECT_EQ(*debug_variant("app:latest"), "app:debug");
  EXPECT_EQ(*debug_variant("app:debug-nonroot"), "app:debug-nonroot");
  EXPECT_EQ(*debug_variant("127.0.0.1:5000/team/app"), "127.0.0.1:5000/team/app:debug");
  EXPECT_EQ(*debug_variant("127.0.0.1:5000/app:2"), "127.0.0.1:5000/app:2-debug");
  EXPECT_FALSE(debug_variant("app@" + kDigest).ok());
  auto long_tag = debug_variant("app:" + std::string(125, 'v'));
  ASSERT_FALSE(long_tag.ok());
  EXPECT_THAT(long_tag.error().message(), HasSubstr("is not a valid tag"));
}

}  // namespace
