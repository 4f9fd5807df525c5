#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "vuln/version_maven.hpp"
#include "vuln/version_pep440.hpp"
#include "vuln/version_semver.hpp"

using namespace distill::vuln;

namespace {

// Each list is in ascending order; equal neighbours are marked by "=".
void expect_ascending(
    const std::vector<std::string>& list,
    const std::function<std::optional<int>(std::string_view, std::string_view)>& cmp) {
  for (size_t i = 0; i + 1 < list.size(); ++i) {
    auto c = cmp(list[i], list[i + 1]);
    ASSERT_TRUE(c.has_value()) << list[i] << " vs " << list[i + 1];
    EXPECT_EQ(*c, -1) << list[i] << " < " << list[i + 1];
    EXPECT_EQ(*cmp(list[i + 1], list[i]), 1) << list[i + 1] << " > " << list[i];
    EXPECT_EQ(*cmp(list[i], list[i]), 0) << list[i];
  }
}

TEST(Pep440, OrdersThePep440Example) {
  // PEP 440's "Summary of permitted suffixes and relative ordering".
  expect_ascending({"1.dev0",
                    "1.0.dev456",
                    "1.0a1",
                    "1.0a2.dev456",
                    "1.0a12.dev456",
                    "1.0a12",
                    "1.0b1.dev456",
                    "1.0b2",
                    "1.0b2.post345.dev456",
                    "1.0b2.post345",
                    "1.0rc1.dev456",
                    "1.0rc1",
                    "1.0",
                    "1.0+abc.5",
                    "1.0+abc.7",
                    "1.0+5",
                    "1.0.post456.dev34",
                    "1.0.post456",
                    "1.0.15",
                    "1.1.dev1"},
                   compare_pep440);
}

TEST(Pep440, NormalisesSpellingsAndPadding) {
  EXPECT_EQ(compare_pep440("1.0", "1.0.0"), 0);
  EXPECT_EQ(compare_pep440("1.0", "1"), 0);
  EXPECT_EQ(compare_pep440("v1.0", "1.0"), 0);
  EXPECT_EQ(compare_pep440("1.0alpha1", "1.0a1"), 0);
  EXPECT_EQ(compare_pep440("1.0-beta.2", "1.0b2"), 0);
  EXPECT_EQ(compare_pep440("1.0c1", "1.0rc1"), 0);
  EXPECT_EQ(compare_pep440("1.0preview1", "1.0rc1"), 0);
  EXPECT_EQ(compare_pep440("1.0-1", "1.0.post1"), 0);
  EXPECT_EQ(compare_pep440("1.0rev1", "1.0.post1"), 0);
  EXPECT_EQ(compare_pep440("1.0a", "1.0a0"), 0);
  EXPECT_EQ(compare_pep440("1.0.DEV", "1.0.dev0"), 0);
  EXPECT_EQ(compare_pep440("1.0+Ubuntu-1", "1.0+ubuntu.1"), 0);
  EXPECT_EQ(compare_pep440("01.02", "1.2"), 0);
}

TEST(Pep440, EpochsWin) {
  EXPECT_EQ(compare_pep440("1!0.1", "2024.1"), 1);
  EXPECT_EQ(compare_pep440("0!1.0", "1.0"), 0);
}

TEST(Pep440, HugeNumbersCompareWithoutOverflow) {
  EXPECT_EQ(compare_pep440("1.99999999999999999999999", "1.99999999999999999999998"), 1);
}

TEST(Pep440, LegacyVersionsAreNotVersions) {
  EXPECT_FALSE(parse_pep440("1.0-foo-bar"));
  EXPECT_FALSE(parse_pep440(""));
  EXPECT_FALSE(parse_pep440("abc"));
  EXPECT_FALSE(parse_pep440("1.0+"));
  EXPECT_FALSE(compare_pep440("1.0", "not a version"));
}

TEST(Semver, OrdersTheSpecExample) {
  // semver.org, item 11.
  expect_ascending(
      {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
       "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0"},
      compare_semver);
}

TEST(Semver, BuildMetadataIsIgnored) {
  EXPECT_EQ(compare_semver("1.0.0+build.1", "1.0.0+build.2"), 0);
  EXPECT_EQ(compare_semver("1.0.0-rc.1+x", "1.0.0-rc.1"), 0);
}

TEST(Semver, NumericIdentifiersSortBeforeWords) {
  EXPECT_EQ(compare_semver("1.0.0-1", "1.0.0-a"), -1);
  EXPECT_EQ(compare_semver("1.0.0-2", "1.0.0-10"), -1);
}

TEST(Semver, RejectsWhatIsNotSemver) {
  EXPECT_FALSE(parse_semver("1.0.0.0"));
  EXPECT_FALSE(parse_semver("1.x"));
  EXPECT_FALSE(parse_semver("1.0.0-"));
  EXPECT_FALSE(parse_semver("1.0.0-a..b"));
  EXPECT_FALSE(parse_semver("(devel)"));
}

TEST(GoVersions, PseudoVersionsAndIncompatible) {
  expect_ascending(
      {"v0.0.0-20190101000000-abcdefabcdef", "v0.0.0-20200101000000-abcdefabcdef", "v0.1.0",
       "v1.2.3-pre", "v1.2.3", "v1.2.4-0.20210101000000-abcdefabcdef", "v1.2.4"},
      compare_semver);
  EXPECT_EQ(compare_semver("v2.0.0+incompatible", "2.0.0"), 0);
  EXPECT_EQ(compare_semver("v1.2.3", "1.2.3"), 0);
}

std::optional<int> maven_cmp(std::string_view a, std::string_view b) {
  return compare_maven(a, b);
}

TEST(MavenVersions, QualifierOrder) {
  // maven-artifact's ComparableVersionTest VERSIONS_QUALIFIER, in order.
  expect_ascending({"1-alpha2snapshot",
                    "1-alpha2",
                    "1-alpha-123",
                    "1-beta-2",
                    "1-beta123",
                    "1-m2",
                    "1-m11",
                    "1-rc",
                    "1-cr2",
                    "1-rc123",
                    "1-SNAPSHOT",
                    "1",
                    "1-sp",
                    "1-sp2",
                    "1-sp123",
                    "1-abc",
                    "1-def",
                    "1-pom-1",
                    "1-1-snapshot",
                    "1-1",
                    "1-2",
                    "1-123"},
                   maven_cmp);
}

TEST(MavenVersions, NumberOrder) {
  // ComparableVersionTest VERSIONS_NUMBER, in order.
  expect_ascending({"2.0",    "2.0.a", "2-1",     "2.0.2", "2.0.123", "2.1.0", "2.1-a",  "2.1b",
                    "2.1-c",  "2.1-1", "2.1.0.1", "2.2",   "2.123",   "11.a2", "11.a11", "11.b2",
                    "11.b11", "11.m2", "11.m11",  "11",    "11.a",    "11b",   "11c",    "11m"},
                   maven_cmp);
}

TEST(MavenVersions, PaddingAndAliases) {
  EXPECT_EQ(compare_maven("1", "1.0.0"), 0);
  EXPECT_EQ(compare_maven("1.0", "1-ga"), 0);
  EXPECT_EQ(compare_maven("1.0", "1.0-final"), 0);
  EXPECT_EQ(compare_maven("1.0", "1.0-RELEASE"), 0);
  EXPECT_EQ(compare_maven("1-cr1", "1-rc1"), 0);
  EXPECT_EQ(compare_maven("1a1", "1-alpha-1"), 0);
  EXPECT_EQ(compare_maven("1.0-SNAPSHOT", "1.0-snapshot"), 0);
  EXPECT_EQ(compare_maven("2.17.0", "2.17.1"), -1);
  EXPECT_EQ(compare_maven("2.15.0", "2.3.1"), 1);
}

}  // namespace
