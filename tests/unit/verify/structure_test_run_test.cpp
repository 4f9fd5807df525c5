#include "verify/structure_test_run.hpp"

#include <gtest/gtest.h>

#include "runtime/runner.hpp"
#include "verify/structure_test_report.hpp"

using namespace distill;
using namespace distill::verify;

namespace {

// Never called: these runs stop before any container.
class UnusedRunc : public runtime::RuncExecutor {
 public:
  core::Result<int> run_attached(const std::vector<std::string>&, const runtime::SignalHandler&,
                                 const std::vector<std::string>&) override {
    return core::make_error("runc", "unexpected");
  }
  core::Result<core::ProcessResult> run_captured(const std::vector<std::string>&) override {
    return core::make_error("runc", "unexpected");
  }
};

TEST(StructureTestRun, OptionsAndFilesAreCheckedBeforeTheImageIsOpened) {
  bool opened = false;
  image::ImageOpener open = [&]() -> core::Result<std::unique_ptr<image::ImageSource>> {
    opened = true;
    return core::make_error("img", "not here");
  };
  UnusedRunc runc;
  StructureTestOptions o;
  o.output = "xml";
  auto r = run_structure_test_files(open, o, runc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "--output xml");
  o.output = "json";
  o.configs = {"/nonexistent/tests.yaml"};
  EXPECT_FALSE(run_structure_test_files(open, o, runc).ok());
  EXPECT_FALSE(opened);
}

TEST(StructureTestRun, FailedTestsAreAnError) {
  StructureTestRun run{"img", {"t.yaml"}, {}};
  EXPECT_EQ(structure_test_status(run).error().message(),
            "img: no tests run (check the files' test lists)");
  TestResult pass;
  pass.name = "a";
  run.results.push_back(pass);
  EXPECT_TRUE(structure_test_status(run).ok());
  TestResult fail = pass;
  fail.passed = false;
  run.results.push_back(fail);
  auto s = structure_test_status(run);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "img: 1 of 2 structure tests failed");
  StructureTestOptions o;
  EXPECT_EQ(structure_test_report(run, o), text_report(run.files, run.results));
  o.output = "junit";
  EXPECT_EQ(structure_test_report(run, o), junit_report(run.results, ""));
}

}  // namespace
