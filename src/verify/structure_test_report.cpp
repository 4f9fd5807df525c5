#include "verify/structure_test_report.hpp"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/strings.hpp"
#include "verify/text_util.hpp"

namespace distill::verify {
namespace {

std::string joined_errors(const TestResult& r) {
  return core::join(r.errors, "\n");
}

}  // namespace

TestSummary summarize(const std::vector<TestResult>& results) {
  TestSummary s;
  for (const auto& r : results) (r.passed ? s.passed : s.failed)++;
  return s;
}

std::string text_report(const std::string& image, const std::vector<TestResult>& results) {
  std::string out = fmt::format(
      "====================================\n"
      "====== Test file(s) on {} ======\n"
      "====================================\n",
      image);
  std::string file;
  for (const auto& r : results) {
    if (r.file != file) {
      file = r.file;
      out += fmt::format("--- {}\n", file);
    }
    out += fmt::format("=== RUN: {}: {}\n", r.kind, r.name);
    out += r.passed ? "--- PASS\n" : "--- FAIL\n";
    out += fmt::format("duration: {:.3f}s\n", r.seconds);
    if (!r.out.empty()) out += fmt::format("stdout: {}\n", r.out);
    if (!r.err.empty()) out += fmt::format("stderr: {}\n", r.err);
    for (const auto& e : r.errors) out += fmt::format("Error: {}\n", e);
  }
  TestSummary s = summarize(results);
  out += fmt::format(
      "\n=====================================\n"
      "============== RESULTS ==============\n"
      "=====================================\n"
      "Passes:      {}\nFailures:    {}\nTotal tests: {}\n\n{}\n",
      s.passed, s.failed, s.total(), s.failed == 0 ? "PASS" : "FAIL");
  return out;
}

std::string json_report(const std::string& image, const std::vector<TestResult>& results) {
  using json = nlohmann::ordered_json;
  TestSummary s = summarize(results);
  json items = json::array();
  for (const auto& r : results) {
    items.push_back({{"file", r.file},
                     {"line", r.line},
                     {"kind", r.kind},
                     {"name", r.name},
                     {"pass", r.passed},
                     {"errors", r.errors},
                     {"stdout", r.out},
                     {"stderr", r.err},
                     {"duration_seconds", r.seconds}});
  }
  json j = {{"image", image},
            {"pass", s.passed},
            {"fail", s.failed},
            {"total", s.total()},
            {"results", items}};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string junit_report(const std::string& image, const std::vector<TestResult>& results) {
  std::map<std::string, std::vector<const TestResult*>> by_file;
  for (const auto& r : results) by_file[r.file].push_back(&r);
  TestSummary all = summarize(results);
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{}\" tests=\"{}\" "
      "failures=\"{}\">\n",
      escape_markup(image), all.total(), all.failed);
  for (const auto& [file, list] : by_file) {
    size_t failures = 0;
    double seconds = 0;
    for (const auto* r : list) {
      failures += r->passed ? 0 : 1;
      seconds += r->seconds;
    }
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                       escape_markup(file), list.size(), failures, seconds);
    for (const auto* r : list) {
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                         escape_markup(r->kind), escape_markup(r->name), r->seconds);
      if (r->passed) {
        out += "/>\n";
        continue;
      }
      std::string msg = joined_errors(*r);
      out += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                         escape_markup(r->errors.empty() ? "" : r->errors.front()),
                         escape_markup(msg));
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

}  // namespace distill::verify
