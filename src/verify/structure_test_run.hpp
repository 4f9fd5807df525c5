#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "image/image_opener.hpp"
#include "runtime/runner.hpp"
#include "verify/structure_test_checks.hpp"

namespace distill::verify {

// What `distill test` is asked for (docs/structure-tests.md).
struct StructureTestOptions {
  std::vector<std::string> configs;  // structure test files
  std::string platform;              // "" picks as `distill run` does
  std::string output = "text";       // "text", "json" or "junit"
  std::string junit_suite_name;      // "" is upstream's default
};

struct StructureTestRun {
  std::string image;               // the reference as given
  std::vector<std::string> files;  // the structure test files, in order
  std::vector<TestResult> results;
};

// Checks the output format, loads the test files, checks for root when
// commandTests need runc, then opens the image and runs every test: file
// checks on its filesystem (read with only the content the tests need),
// commands in containers.
core::Result<StructureTestRun> run_structure_test_files(const image::ImageOpener& open,
                                                        const StructureTestOptions& options,
                                                        runtime::RuncExecutor& runc);

// The report in `output` ("text", "json" or "junit").
std::string structure_test_report(const StructureTestRun& run, const StructureTestOptions& options);

// An error when a test failed or none ran (as upstream): `distill test` exits 1.
core::Status structure_test_status(const StructureTestRun& run);

}  // namespace distill::verify
