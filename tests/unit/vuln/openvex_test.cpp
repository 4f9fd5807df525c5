#include "vuln/openvex.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace distill::vuln;

namespace {

std::string openvex_doc(const std::string& statements) {
  return R"({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
             "author": "Example", "timestamp": "2024-01-02T03:04:05Z", "version": 1,
             "statements": [)" +
         statements + "]}";
}

TEST(OpenVex, ParsesStatements) {
  auto d = parse_openvex(openvex_doc(R"(
    {"vulnerability": {"name": "CVE-2024-1", "aliases": ["GHSA-aaaa-bbbb-cccc"]},
     "products": [{"@id": "pkg:oci/app@sha256%3Aab",
                   "subcomponents": [{"@id": "pkg:deb/debian/openssl@3.0.15-1"}]}],
     "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
     "impact_statement": "never called", "x-extra": 1},
    {"vulnerability": {"@id": "https://nvd.nist.gov/vuln/detail/CVE-2024-2"},
     "products": [{"identifiers": {"purl": "pkg:pypi/requests"}}],
     "status": "affected", "action_statement": "upgrade",
     "timestamp": "2024-02-01T00:00:00Z", "last_updated": "2024-03-01T00:00:00+01:00"})"),
                         "vex.json");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->author, "Example");
  EXPECT_EQ(d->timestamp, 1704164645);
  ASSERT_EQ(d->statements.size(), 2u);
  const VexStatement& a = d->statements[0];
  EXPECT_EQ(a.index, 0u);
  EXPECT_EQ(a.vulnerability, "CVE-2024-1");
  EXPECT_EQ(a.aliases, std::vector<std::string>{"GHSA-aaaa-bbbb-cccc"});
  ASSERT_EQ(a.products.size(), 1u);
  EXPECT_EQ(a.products[0].id, "pkg:oci/app@sha256%3Aab");
  EXPECT_EQ(a.products[0].subcomponents,
            std::vector<std::string>{"pkg:deb/debian/openssl@3.0.15-1"});
  EXPECT_EQ(a.status, VexStatus::kNotAffected);
  EXPECT_EQ(a.justification, "vulnerable_code_not_in_execute_path");
  EXPECT_EQ(a.impact_statement, "never called");
  EXPECT_EQ(a.timestamp, d->timestamp) << "the document's when the statement has none";
  const VexStatement& b = d->statements[1];
  EXPECT_EQ(b.index, 1u);
  EXPECT_EQ(b.vulnerability, "https://nvd.nist.gov/vuln/detail/CVE-2024-2");
  EXPECT_EQ(b.products[0].id, "pkg:pypi/requests");
  EXPECT_EQ(b.status, VexStatus::kAffected);
  EXPECT_EQ(b.action_statement, "upgrade");
  EXPECT_EQ(b.timestamp, 1709247600) << "last_updated, offset applied";
}

TEST(OpenVex, ErrorsNameFileAndStatement) {
  struct Case {
    std::string statement;
    std::string expected;
  };
  const Case cases[] = {
      {R"({"vulnerability": {"name": "CVE-1"}, "status": "unaffected"})",
       "vex.json: statement 1: field 'status': unknown status 'unaffected'"},
      {R"({"vulnerability": {"name": "CVE-1"}, "status": "not_affected"})",
       "vex.json: statement 1: is not_affected without a justification"},
      {R"({"vulnerability": {"name": "CVE-1"}, "status": "not_affected",
           "justification": "because"})",
       "vex.json: statement 1: field 'justification': unknown justification 'because'"},
      {R"({"status": "fixed"})", "vex.json: statement 1: field 'vulnerability'"},
      {R"({"vulnerability": {"name": 7}, "status": "fixed"})",
       "vex.json: statement 1: field 'name': is not a string"},
      {R"({"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": [{}]})",
       "vex.json: statement 1: products: an entry has no \"@id\""},
      {R"({"vulnerability": {"name": "CVE-1"}, "status": "fixed", "timestamp": "yesterday"})",
       "vex.json: statement 1: field 'timestamp': 'yesterday' is not an RFC 3339 date"},
      {R"("CVE-1")", "vex.json: statement 1: is not an object"},
  };
  const std::string good = R"({"vulnerability": {"name": "CVE-0"}, "status": "fixed"},)";
  for (const auto& c : cases) {
    auto d = parse_openvex(openvex_doc(good + c.statement), "vex.json");
    ASSERT_FALSE(d.ok()) << c.statement;
    EXPECT_EQ(d.error().message().rfind(c.expected, 0), 0u)
        << d.error().message() << "\nexpected: " << c.expected;
  }
}

TEST(OpenVex, DocumentLevelErrors) {
  auto not_json = parse_openvex("{", "a.json");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().message(), "a.json: is not valid JSON");
  auto old = parse_openvex(R"({"@context": "https://openvex.dev/ns", "statements": []})", "b.json");
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.error().message().find("b.json: '@context' is 'https://openvex.dev/ns'"),
            std::string::npos)
      << old.error().message();
  auto none = parse_openvex(R"({"@context": "https://openvex.dev/ns/v0.2.0"})", "c.json");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(), "c.json: has no \"statements\" list");
  auto big = parse_openvex(std::string(kMaxVexBytes + 1, ' '), "d.json");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message().find("larger than"), std::string::npos);
}

TEST(OpenVex, ReadFileMissing) {
  auto d = read_openvex("/nonexistent/vex.json");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("/nonexistent/vex.json"), std::string::npos);
}

}  // namespace
