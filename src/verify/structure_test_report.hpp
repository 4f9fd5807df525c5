#pragma once

#include <string>
#include <vector>

#include "verify/structure_test_checks.hpp"

namespace distill::verify {

// Counts over a run.
struct TestSummary {
  size_t passed = 0;
  size_t failed = 0;
  size_t total() const { return passed + failed; }
};

TestSummary summarize(const std::vector<TestResult>& results);

// The upstream tool's layout: "=== RUN: <kind>: <name>", "--- PASS" or
// "--- FAIL" with one "Error: ..." line per problem, then the totals.
std::string text_report(const std::string& image, const std::vector<TestResult>& results);
// {"image", "pass", "fail", "total", "results": [{"file", "line", "kind", "name",
//  "pass", "errors", "stdout", "stderr", "duration_seconds"}]}
std::string json_report(const std::string& image, const std::vector<TestResult>& results);
// JUnit XML: one <testsuite> per structure test file, <failure> per failed test.
std::string junit_report(const std::string& image, const std::vector<TestResult>& results);

}  // namespace distill::verify
