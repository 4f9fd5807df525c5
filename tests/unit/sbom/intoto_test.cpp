#include "sbom/intoto.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/dsse.hpp"

using namespace distill;
using namespace distill::sbom;

namespace {

const std::string kIntotoDigest(64, 'a');

// The golden statement tests/integration/test_attestation_schemas.py
// validates against the in-toto Statement v1 and SLSA Provenance v1 schemas.
std::string intoto_golden(const std::string& name) {
  namespace fs = std::filesystem;
  fs::path p = fs::path(__FILE__).parent_path() / ".." / ".." / "integration" / "testdata" /
               "attestations" / name;
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

Provenance intoto_provenance() {
  Provenance p;
  p.build_type = "https://distill.invalid/build/v1";
  p.external_parameters = {{"spec", "distill.yaml"}, {"archs", {"amd64"}}};
  p.internal_parameters = {{"recipe", "1"}};
  p.resolved_dependencies = {{"libc6_2.36-9+deb12u4_amd64.deb",
                              "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64",
                              {{"sha256", std::string(64, 'b')}},
                              {}}};
  p.builder_id = "https://distill.invalid/builder";
  p.builder_version = {{"distill", "0.1.0"}};
  p.invocation_id = "run-1";
  p.started_on = 1700000000;
  p.finished_on = 1700000000;
  return p;
}

TEST(InToto, ProvenanceStatementIsTheGolden) {
  auto s = provenance_statement({{"oci-layout:out", "", {{"sha256", kIntotoDigest}}, {}}},
                                intoto_provenance());
  ASSERT_TRUE(s.ok()) << s.error().message();
  auto payload = statement_payload(*s);
  ASSERT_TRUE(payload.ok());
  std::string golden = intoto_golden("slsa-provenance-v1.statement.json");
  ASSERT_FALSE(golden.empty()) << "golden file not found beside " << __FILE__;
  EXPECT_EQ(*payload, golden);
  // Keys sorted at every level: "_type" < "predicate" < "predicateType" < "subject".
  EXPECT_EQ(payload->rfind(R"({"_type":"https://in-toto.io/Statement/v1","predicate":)", 0), 0u);

  // Its DSSE envelope (the signature a fixed stand-in: no key here).
  struct FixtureSigner : core::dsse::Signer {
    std::string keyid() const override { return "fixture-key"; }
    core::Result<std::string> sign(std::string_view) const override {
      return std::string("fixture-signature");
    }
  } signer;
  auto envelope = core::dsse::sign(kInTotoPayloadType, *payload, {&signer});
  ASSERT_TRUE(envelope.ok());
  EXPECT_EQ(*core::dsse::envelope_json(*envelope), intoto_golden("slsa-provenance-v1.dsse.json"));

  auto back = parse_statement(*payload, "stmt.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->predicate_type, kSlsaProvenanceV1);
  EXPECT_EQ(back->subjects[0].digest.at("sha256"), kIntotoDigest);
  EXPECT_EQ(*statement_payload(*back), *payload);
}

TEST(InToto, MinimalProvenanceLeavesOptionalMembersOut) {
  Provenance p;
  p.build_type = "https://distill.invalid/build/v1";
  p.builder_id = "https://distill.invalid/builder";
  auto j = provenance_predicate(p);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(
      j->dump(),
      R"({"buildDefinition":{"buildType":"https://distill.invalid/build/v1",)"
      R"("externalParameters":{}},"runDetails":{"builder":{"id":"https://distill.invalid/builder"}}})");
  EXPECT_FALSE(provenance_predicate(Provenance{}).ok());
}

TEST(InToto, TimesComeFromSourceDateEpoch) {
  Provenance p;
  ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  ASSERT_TRUE(set_times_from_source_date_epoch(p).ok());
  EXPECT_EQ(p.started_on, 1700000000);
  EXPECT_EQ(p.finished_on, 1700000000);
  ::unsetenv("SOURCE_DATE_EPOCH");
  ASSERT_TRUE(set_times_from_source_date_epoch(p).ok());
  EXPECT_FALSE(p.started_on.has_value()) << "no clock time: the same inputs, the same bytes";
  ::setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
  EXPECT_FALSE(set_times_from_source_date_epoch(p).ok());
  ::unsetenv("SOURCE_DATE_EPOCH");
}

Statement intoto_statement(std::map<std::string, std::string> digest,
                           std::string type = "https://x.invalid/p") {
  Statement s;
  s.subjects.push_back({"a", "", std::move(digest), {}});
  s.predicate_type = std::move(type);
  return s;
}

TEST(InToto, BadSubjectsAreErrors) {
  Statement none;
  none.predicate_type = "https://x.invalid/p";
  EXPECT_FALSE(statement_json(none).ok()) << "no subject";
  EXPECT_FALSE(statement_json(intoto_statement({})).ok()) << "no digest";
  EXPECT_FALSE(statement_json(intoto_statement({{"sha256", "ABC"}})).ok());
  EXPECT_FALSE(statement_json(intoto_statement({{"sha256", std::string(63, 'a')}})).ok());
  EXPECT_FALSE(statement_json(intoto_statement({{"sha256", kIntotoDigest}}, "")).ok());
  EXPECT_TRUE(statement_json(intoto_statement({{"sha256", kIntotoDigest}})).ok());
  auto old = parse_statement(
      R"({"_type":"https://in-toto.io/Statement/v0.1","subject":[],"predicateType":"p"})",
      "s.json");
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.error().message().find("s.json: '_type' is 'https://in-toto.io/Statement/v0.1'"),
            std::string::npos);
  auto bad = parse_statement(
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"x"}}],)"
      R"("predicateType":"p"})",
      "s.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("s.json: subject 0"), std::string::npos);
}

}  // namespace
