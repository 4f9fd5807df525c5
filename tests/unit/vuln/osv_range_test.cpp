#include "vuln/osv_range.hpp"

#include <gtest/gtest.h>

#include "vuln/matcher.hpp"
#include "vuln/osv_import.hpp"

using namespace distill;
using namespace distill::vuln;

namespace {

OsvAffected ranges_of(const std::string& json_text) {
  auto j = nlohmann::json::parse(json_text);
  auto a = parse_osv_affected(j);
  EXPECT_TRUE(a.ok()) << a.error().message();
  return a.ok() ? *a : OsvAffected{};
}

TEST(OsvRange, IntroducedIsAffectedFixedIsNot) {
  auto a = ranges_of(R"({"ranges": [{"type": "ECOSYSTEM",
      "events": [{"introduced": "1.2.0"}, {"fixed": "1.4.0"}]}]})");
  EXPECT_FALSE(osv_affects(a, "PyPI", "1.1.9"));
  EXPECT_TRUE(osv_affects(a, "PyPI", "1.2.0"));
  EXPECT_TRUE(osv_affects(a, "PyPI", "1.2"));  // PEP 440: 1.2 == 1.2.0
  EXPECT_TRUE(osv_affects(a, "PyPI", "1.4.0rc1"));
  EXPECT_TRUE(osv_affects(a, "PyPI", "1.4.0.dev1"));
  EXPECT_FALSE(osv_affects(a, "PyPI", "1.4.0"));
  EXPECT_FALSE(osv_affects(a, "PyPI", "1.4.0.post1"));
  EXPECT_FALSE(osv_affects(a, "PyPI", "1.2.0.dev1"));  // before the introduced release
  EXPECT_EQ(osv_fixed_after(a, "PyPI", "1.3"), "1.4.0");
}

TEST(OsvRange, LastAffectedIsInclusive) {
  auto a = ranges_of(R"({"ranges": [{"type": "SEMVER",
      "events": [{"introduced": "0"}, {"last_affected": "2.1.0"}]}]})");
  EXPECT_TRUE(osv_affects(a, "npm", "0.0.1"));
  EXPECT_TRUE(osv_affects(a, "npm", "2.1.0"));
  EXPECT_FALSE(osv_affects(a, "npm", "2.1.1-alpha"));
  EXPECT_FALSE(osv_affects(a, "npm", "2.1.1"));
  EXPECT_TRUE(osv_affects(a, "npm", "2.1.0+build"));  // build metadata ignored
  EXPECT_EQ(osv_fixed_after(a, "npm", "1.0.0"), "");
}

TEST(OsvRange, PrereleasesAtTheEdges) {
  auto a = ranges_of(R"({"ranges": [{"type": "SEMVER",
      "events": [{"introduced": "2.0.0-beta.1"}, {"fixed": "2.0.0"}]}]})");
  EXPECT_FALSE(osv_affects(a, "npm", "2.0.0-alpha.9"));
  EXPECT_TRUE(osv_affects(a, "npm", "2.0.0-beta.1"));
  EXPECT_TRUE(osv_affects(a, "npm", "2.0.0-rc.1"));
  EXPECT_FALSE(osv_affects(a, "npm", "2.0.0"));
}

TEST(OsvRange, SeveralIntervalsInOneRangeAndUnsortedEvents) {
  auto a = ranges_of(R"({"ranges": [{"type": "ECOSYSTEM",
      "events": [{"fixed": "2.7.1"}, {"introduced": "3.0"}, {"introduced": "2.0"}, {"fixed": "3.1.2"}]}]})");
  EXPECT_FALSE(osv_affects(a, "Maven", "1.9"));
  EXPECT_TRUE(osv_affects(a, "Maven", "2.0"));
  EXPECT_TRUE(osv_affects(a, "Maven", "2.7"));
  EXPECT_FALSE(osv_affects(a, "Maven", "2.7.1"));
  EXPECT_FALSE(osv_affects(a, "Maven", "2.9"));
  EXPECT_TRUE(osv_affects(a, "Maven", "3.0.0"));  // Maven: 3.0 == 3.0.0
  EXPECT_TRUE(osv_affects(a, "Maven", "3.1.2-rc1"));
  EXPECT_FALSE(osv_affects(a, "Maven", "3.1.2"));
  EXPECT_EQ(osv_fixed_after(a, "Maven", "2.1"), "2.7.1");
  EXPECT_EQ(osv_fixed_after(a, "Maven", "3.0"), "3.1.2");
}

TEST(OsvRange, LimitBoundsTheRange) {
  auto a = ranges_of(R"({"ranges": [{"type": "SEMVER",
      "events": [{"introduced": "0"}, {"limit": "1.5.0"}]}]})");
  EXPECT_TRUE(osv_affects(a, "Go", "v1.4.9"));
  EXPECT_FALSE(osv_affects(a, "Go", "v1.5.0"));
}

TEST(OsvRange, ExplicitVersionsList) {
  auto a = ranges_of(R"({"versions": ["1.0.0", "1.0.2"]})");
  EXPECT_TRUE(osv_affects(a, "npm", "1.0.0"));
  EXPECT_FALSE(osv_affects(a, "npm", "1.0.1"));
  EXPECT_TRUE(osv_affects(a, "PyPI", "1.0.2"));
  EXPECT_TRUE(osv_affects(a, "PyPI", "1.0.2.0"));  // equal in PEP 440
}

TEST(OsvRange, GoWithAndWithoutTheV) {
  auto a = ranges_of(R"({"ranges": [{"type": "SEMVER",
      "events": [{"introduced": "0"}, {"fixed": "0.3.8"}]}]})");
  EXPECT_TRUE(osv_affects(a, "Go", "v0.3.7"));
  EXPECT_TRUE(osv_affects(a, "Go", "v0.0.0-20210101000000-abcdefabcdef"));
  EXPECT_FALSE(osv_affects(a, "Go", "v0.3.8"));
  EXPECT_FALSE(osv_affects(a, "Go", "(devel)"));  // not a version: never in a range
  auto stdlib = ranges_of(R"({"ranges": [{"type": "SEMVER",
      "events": [{"introduced": "1.19.0"}, {"fixed": "1.19.9"}]}]})");
  EXPECT_TRUE(osv_affects(stdlib, "Go", "go1.19.8"));
  EXPECT_FALSE(osv_affects(stdlib, "Go", "go1.19.9"));
}

TEST(OsvRange, RoundTripsThroughItsJson) {
  auto a = ranges_of(R"({"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"},
      {"limit": "2"}, {"last_affected": "1.5"}]}], "versions": ["1"]})");
  auto back = osv_affected_from_json(osv_affected_json(a));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, a);
}

// The lookup a scan sees: language rows only.
class LangLookup : public AdvisoryLookup {
 public:
  explicit LangLookup(std::vector<Advisory> v) : v_(std::move(v)) {}
  core::Result<std::vector<Advisory>> find(std::string_view, std::string_view) const override {
    return std::vector<Advisory>{};
  }
  core::Result<std::vector<Advisory>> find_language(std::string_view ecosystem,
                                                    std::string_view package) const override {
    std::vector<Advisory> out;
    for (const auto& a : v_)
      if (a.ecosystem == ecosystem && a.source_package == package) out.push_back(a);
    return out;
  }

 private:
  std::vector<Advisory> v_;
};

TEST(LangMatch, MatchesByEcosystemKeyAndRange) {
  auto advisories = parse_osv_json(R"([
    {"id": "PYSEC-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "Django"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "4.0"}, {"fixed": "4.1.2"}]}]}],
      "database_specific": {"severity": "HIGH"}},
    {"id": "GHSA-2", "affected": [{"package": {"ecosystem": "npm", "name": "@s/p"},
      "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]}]}
  ])",
                                   "t.json");
  ASSERT_TRUE(advisories.ok()) << advisories.error().message();
  LangLookup lookup(*advisories);
  std::vector<sbom::LangPackage> packages = {
      {"PyPI", "django", "4.1.1", "", {"app/django-4.1.1.dist-info/METADATA"}},
      {"PyPI", "Django", "4.1.2", "", {"other/METADATA"}},
      {"npm", "@s/p", "0.9.0", "", {"app/package-lock.json"}},
      {"Go", "@s/p", "0.9.0", "", {"bin/x"}},  // another ecosystem: no match
  };
  auto findings = match_lang_packages(packages, lookup);
  ASSERT_TRUE(findings.ok()) << findings.error().message();
  ASSERT_EQ(findings->size(), 2u);
  EXPECT_EQ((*findings)[0].id, "PYSEC-1");  // high first
  EXPECT_EQ((*findings)[0].ecosystem, "PyPI");
  EXPECT_EQ((*findings)[0].installed_version, "4.1.1");
  EXPECT_EQ((*findings)[0].fixed_version, "4.1.2");
  EXPECT_EQ((*findings)[0].severity, Severity::kHigh);
  EXPECT_EQ((*findings)[0].database_files,
            (std::vector<std::string>{"app/django-4.1.1.dist-info/METADATA"}));
  EXPECT_EQ((*findings)[1].id, "GHSA-2");
  EXPECT_EQ((*findings)[1].state, FindingState::kFixed);
}

}  // namespace
