#pragma once

#include <string>
#include <vector>

#include "verify/structure_test_checks.hpp"

namespace distill::verify {

// Counts over a run.
struct TestSummary {
  size_t passed = 0;
  size_t failed = 0;
  double seconds = 0;
  size_t total() const { return passed + failed; }
};

TestSummary summarize(const std::vector<TestResult>& results);

inline constexpr const char* kDefaultJunitSuiteName = "container-structure-test.test";

// The reports in upstream's shapes, so that what reads container-structure-test's
// output reads ours:
// text: a "====== Test file: <name> ======" banner per file, then per test
//   "=== RUN: <name>", "--- PASS"/"--- FAIL", "duration: <Go duration>",
//   "stdout: ", "stderr: ", "Error: " lines; then the RESULTS block.
std::string text_report(const std::vector<std::string>& files,
                        const std::vector<TestResult>& results);
// json: {"Pass","Fail","Total","Duration" (ns),"Results":[{"Name","Pass",
//   "Stdout","Stderr","Errors","Duration" (ns)}]}; empty Stdout, Stderr,
//   Errors and Results are left out.
std::string json_report(const std::vector<TestResult>& results);
// junit: <testsuites failures tests time><testsuite name><testcase name time>
//   with a <failure> per error, <system-out> and <system-err>.
std::string junit_report(const std::vector<TestResult>& results, const std::string& suite_name);

// Go's time.Duration.String(): "0s", "850ns", "1.5\u00b5s", "12.03ms", "2.5s", "1m0.5s".
std::string go_duration(double seconds);

}  // namespace distill::verify
