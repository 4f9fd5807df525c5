#include "core/sarif.hpp"

#include <gtest/gtest.h>

using namespace distill;

namespace {

TEST(SarifLog, WritesOnlyWhatEachProducerHas) {
  core::sarif::Run bare;
  bare.tool_name = "tool";
  bare.rules.push_back({"R1", "short", {}, {}, nullptr});
  core::sarif::Result r;
  r.rule_id = "R1";
  r.level = "note";
  r.message = "found";
  bare.results.push_back(r);
  EXPECT_EQ(core::sarif::log_json({bare}).dump(),
            R"({"version":"2.1.0","runs":[{"tool":{"driver":{"name":"tool","rules":)"
            R"([{"id":"R1","shortDescription":{"text":"short"}}]}},"results":)"
            R"([{"ruleId":"R1","ruleIndex":0,"level":"note","message":{"text":"found"}}]}]})");
}

TEST(SarifLog, WritesEveryOptionalMemberInOrder) {
  core::sarif::Run run;
  run.tool_name = "tool";
  run.tool_version = "1.2";
  run.rules.push_back({"R1", "short", "full", "error", {{"tags", {"x"}}}});
  run.automation_id = "tool/linux";
  core::sarif::Result r;
  r.rule_id = "R1";
  r.rule_index = 0;
  r.level = "error";
  r.message = "m";
  r.locations = std::vector<core::sarif::ArtifactLocation>{{"etc/passwd", "ROOTFS"}, {"a", ""}};
  r.properties = {{"k", "v"}};
  r.suppressions.push_back({"external", "accepted", ""});
  r.suppressions.push_back({"external", "VEX not_affected", "accepted"});
  run.results.push_back(r);
  run.properties = {{"image", "img"}};
  EXPECT_EQ(
      core::sarif::log_json({run}).dump(),
      R"({"version":"2.1.0","runs":[{"tool":{"driver":{"name":"tool","version":"1.2",)"
      R"("semanticVersion":"1.2","rules":[{"id":"R1","shortDescription":{"text":"short"},)"
      R"("fullDescription":{"text":"full"},"defaultConfiguration":{"level":"error"},)"
      R"("properties":{"tags":["x"]}}]}},"automationDetails":{"id":"tool/linux"},"results":)"
      R"([{"ruleId":"R1","ruleIndex":0,"level":"error","message":{"text":"m"},"locations":)"
      R"([{"physicalLocation":{"artifactLocation":{"uri":"etc/passwd","uriBaseId":"ROOTFS"}}},)"
      R"({"physicalLocation":{"artifactLocation":{"uri":"a"}}}],"properties":{"k":"v"},)"
      R"("suppressions":[{"kind":"external","justification":"accepted"},)"
      R"({"kind":"external","status":"accepted","justification":"VEX not_affected"}]}],)"
      R"("properties":{"image":"img"}}]})");
}

TEST(SarifLog, AnEmptyLocationListIsWritten) {
  core::sarif::Run run;
  run.tool_name = "t";
  core::sarif::Result r;
  r.locations.emplace();
  run.results.push_back(r);
  auto j = core::sarif::log_json({run});
  EXPECT_TRUE(j["runs"][0]["results"][0]["locations"].is_array());
  EXPECT_TRUE(j["runs"][0]["results"][0]["locations"].empty());
}

}  // namespace
