#include "registry/auth.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/base64.hpp"

using namespace distill;
using registry::parse_challenge;

namespace {

TEST(ChallengeTest, ParsesBearerParameters) {
  auto c = parse_challenge(
      R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push")");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->scheme, "bearer");
  EXPECT_EQ(c->params["realm"], "https://auth.example/token");
  EXPECT_EQ(c->params["service"], "registry.example");
  EXPECT_EQ(c->params["scope"], "repository:a/b:pull,push");
}

TEST(ChallengeTest, ParsesBasicWithUnquotedAndEscapedValues) {
  auto c = parse_challenge(R"(basic Realm=plain, other="a \"quoted\" word")");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->scheme, "basic");
  EXPECT_EQ(c->params["realm"], "plain");
  EXPECT_EQ(c->params["other"], "a \"quoted\" word");
}

TEST(ChallengeTest, RefusesMalformedChallenges) {
  EXPECT_FALSE(parse_challenge("").ok());
  EXPECT_FALSE(parse_challenge(R"(Bearer realm="unterminated)").ok());
  EXPECT_FALSE(parse_challenge("Bearer novalue").ok());
}

TEST(AuthTest, BuildsScopesAndEncodesUrls) {
  EXPECT_EQ(registry::repository_scope("a/b", true), "repository:a/b:pull,push");
  EXPECT_EQ(registry::repository_scope("a", false), "repository:a:pull");
  EXPECT_EQ(registry::url_encode("repository:a/b:pull,push"), "repository%3Aa%2Fb%3Apull%2Cpush");
}

TEST(Base64Test, RoundTrips) {
  for (std::string s : {"", "a", "ab", "abc", "user:pa ss\xff"}) {
    auto d = core::base64_decode(core::base64_encode(s));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(core::base64_encode("alice:pw"), "YWxpY2U6cHc=");
  EXPECT_FALSE(core::base64_decode("abc").has_value());
  EXPECT_FALSE(core::base64_decode("ab!=").has_value());
}

}  // namespace
