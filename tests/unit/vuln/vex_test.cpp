#include "vuln/vex.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace distill::vuln;

namespace {

constexpr const char* kImageDigest =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";

Finding deb_finding(std::string id, std::string source, std::string binary) {
  Finding f;
  f.id = std::move(id);
  f.source_package = std::move(source);
  f.installed_version = "3.0.15-1~deb12u1";
  f.binaries = {std::move(binary)};
  return f;
}

Finding lang_finding(std::string id, std::string ecosystem, std::string name, std::string version) {
  Finding f;
  f.id = std::move(id);
  f.ecosystem = std::move(ecosystem);
  f.source_package = std::move(name);
  f.installed_version = std::move(version);
  return f;
}

VexStatement statement(std::string vuln, std::vector<VexProduct> products, VexStatus status,
                       int64_t timestamp = 100) {
  VexStatement s;
  s.vulnerability = std::move(vuln);
  s.products = std::move(products);
  s.status = status;
  s.justification = status == VexStatus::kNotAffected ? "vulnerable_code_not_present" : "";
  s.timestamp = timestamp;
  return s;
}

VexDocument document(std::vector<VexStatement> statements) {
  VexDocument d;
  d.where = "vex.json";
  for (size_t i = 0; i < statements.size(); ++i) statements[i].index = i;
  d.statements = std::move(statements);
  return d;
}

std::vector<std::string> ids(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.id + "/" + f.source_package);
  return out;
}

TEST(Vex, PackagePurls) {
  Finding ssl = deb_finding("CVE-1", "openssl", "libssl3");
  EXPECT_TRUE(vex_names_package("pkg:deb/debian/openssl", ssl));
  EXPECT_TRUE(vex_names_package("pkg:deb/debian/openssl@3.0.15-1~deb12u1?distro=debian-12", ssl));
  EXPECT_TRUE(vex_names_package("pkg:deb/debian/libssl3@3.0.15-1%7Edeb12u1?arch=amd64", ssl));
  EXPECT_FALSE(vex_names_package("pkg:deb/debian/openssl@3.0.15-1~deb12u2", ssl));
  EXPECT_FALSE(vex_names_package("pkg:deb/debian/glibc", ssl));
  EXPECT_FALSE(vex_names_package("pkg:pypi/openssl", ssl));
  EXPECT_FALSE(vex_names_package("openssl", ssl));

  Finding py = lang_finding("GHSA-1", "PyPI", "Foo.Bar_baz", "1.2.0");
  EXPECT_TRUE(vex_names_package("pkg:pypi/foo-bar-baz@1.2.0", py));
  EXPECT_TRUE(vex_names_package("pkg:pypi/Foo_Bar.baz", py));
  EXPECT_FALSE(vex_names_package("pkg:pypi/foo-bar-baz@1.2.1", py));
  EXPECT_FALSE(vex_names_package("pkg:npm/foo-bar-baz@1.2.0", py));

  Finding npm = lang_finding("GHSA-2", "npm", "@scope/pkg", "2.0.0");
  EXPECT_TRUE(vex_names_package("pkg:npm/%40scope/pkg@2.0.0", npm));
  EXPECT_TRUE(vex_names_package("pkg:npm/@scope/pkg@2.0.0", npm));
  EXPECT_TRUE(vex_names_package("pkg:npm/@scope/pkg", npm));
  EXPECT_FALSE(vex_names_package("pkg:npm/pkg@2.0.0", npm));

  Finding maven = lang_finding("GHSA-3", "Maven", "org.example:codec", "2.0");
  EXPECT_TRUE(vex_names_package("pkg:maven/org.example/codec@2.0", maven));
  Finding go = lang_finding("GO-1", "Go", "example.com/mod", "v1.2.0");
  EXPECT_TRUE(vex_names_package("pkg:golang/example.com/mod@v1.2.0", go));
}

TEST(Vex, SuppressesExactlyTheNamedVulnerabilityAndProduct) {
  std::vector<Finding> findings = {deb_finding("CVE-1", "openssl", "libssl3"),
                                   deb_finding("CVE-1", "glibc", "libc6"),
                                   deb_finding("CVE-2", "openssl", "libssl3")};
  std::string image = std::string("pkg:oci/app@") + kImageDigest;
  auto docs = {document({statement("CVE-1", {{image, {"pkg:deb/debian/openssl@3.0.15-1~deb12u1"}}},
                                   VexStatus::kNotAffected)})};
  auto s = apply_vex(findings, docs, {kImageDigest});
  EXPECT_EQ(ids(findings), (std::vector<std::string>{"CVE-1/glibc", "CVE-2/openssl"}));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].finding.id, "CVE-1");
  EXPECT_EQ(s[0].finding.source_package, "openssl");
  EXPECT_EQ(s[0].status, VexStatus::kNotAffected);
  EXPECT_EQ(s[0].justification, "vulnerable_code_not_present");
  EXPECT_EQ(s[0].document, "vex.json");
  EXPECT_EQ(s[0].product, image);
  EXPECT_EQ(vex_reason(s[0]),
            "VEX not_affected: vulnerable_code_not_present (vex.json, statement 0)");
}

TEST(Vex, ImageWithoutSubcomponentsCoversAllItsPackages) {
  std::vector<Finding> findings = {deb_finding("CVE-1", "openssl", "libssl3"),
                                   deb_finding("CVE-1", "glibc", "libc6")};
  std::string encoded = std::string("pkg:oci/app@sha256%3A") + (kImageDigest + 7) +
                        "?repository_url=registry.example%2Fapp&tag=1";
  auto s = apply_vex(findings, {document({statement("CVE-1", {{encoded, {}}}, VexStatus::kFixed)})},
                     {kImageDigest});
  EXPECT_TRUE(findings.empty());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].status, VexStatus::kFixed);
}

TEST(Vex, AnotherImageOrAPackageAsProduct) {
  std::vector<Finding> findings = {deb_finding("CVE-1", "openssl", "libssl3"),
                                   lang_finding("CVE-1", "PyPI", "requests", "2.0")};
  std::string other =
      "pkg:oci/app@sha256:2222222222222222222222222222222222222222222222222222222222222222";
  auto s = apply_vex(
      findings,
      {document({statement("CVE-1", {{other, {}}}, VexStatus::kNotAffected),
                 statement("CVE-1", {{"pkg:pypi/requests@2.0", {}}}, VexStatus::kNotAffected)})},
      {kImageDigest});
  EXPECT_EQ(ids(findings), std::vector<std::string>{"CVE-1/openssl"});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].finding.ecosystem, "PyPI");
  EXPECT_EQ(s[0].statement, 1u);
}

TEST(Vex, AffectedAndUnderInvestigationSuppressNothing) {
  for (VexStatus st : {VexStatus::kAffected, VexStatus::kUnderInvestigation}) {
    std::vector<Finding> findings = {deb_finding("CVE-1", "openssl", "libssl3")};
    auto s =
        apply_vex(findings, {document({statement("CVE-1", {{"pkg:deb/debian/openssl", {}}}, st)})},
                  {kImageDigest});
    EXPECT_TRUE(s.empty());
    EXPECT_EQ(findings.size(), 1u);
  }
}

TEST(Vex, LatestStatementWins) {
  auto product = std::vector<VexProduct>{{"pkg:deb/debian/openssl", {}}};
  auto run = [&](std::vector<VexDocument> docs) {
    std::vector<Finding> findings = {deb_finding("CVE-1", "openssl", "libssl3")};
    return apply_vex(findings, docs, {kImageDigest}).size();
  };
  // Later in time overrides, whatever the order read.
  EXPECT_EQ(run({document({statement("CVE-1", product, VexStatus::kNotAffected, 100),
                           statement("CVE-1", product, VexStatus::kAffected, 200)})}),
            0u);
  EXPECT_EQ(run({document({statement("CVE-1", product, VexStatus::kAffected, 200),
                           statement("CVE-1", product, VexStatus::kNotAffected, 100)})}),
            0u);
  EXPECT_EQ(run({document({statement("CVE-1", product, VexStatus::kUnderInvestigation, 100)}),
                 document({statement("CVE-1", product, VexStatus::kFixed, 300)})}),
            1u);
  // Same time: the later one read restates.
  EXPECT_EQ(run({document({statement("CVE-1", product, VexStatus::kAffected, 100),
                           statement("CVE-1", product, VexStatus::kNotAffected, 100)})}),
            1u);
}

TEST(Vex, MatchesAliases) {
  std::vector<Finding> findings = {lang_finding("GHSA-xxxx", "npm", "left-pad", "1.0.0")};
  VexStatement s = statement("CVE-9", {{"pkg:npm/left-pad", {}}}, VexStatus::kNotAffected);
  s.aliases = {"GHSA-xxxx"};
  EXPECT_EQ(apply_vex(findings, {document({s})}, {kImageDigest}).size(), 1u);
}

}  // namespace
