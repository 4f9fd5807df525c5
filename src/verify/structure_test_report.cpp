#include "verify/structure_test_report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/strings.hpp"
#include "verify/text_util.hpp"

namespace distill::verify {
namespace {

int64_t nanoseconds(double seconds) {
  return static_cast<int64_t>(std::llround(seconds * 1e9));
}

// "0.25" from 250000000 over 1000000000: the digits after the point, trailing zeros cut.
std::string go_fraction(int64_t value, int64_t unit) {
  std::string out = std::to_string(value / unit);
  int64_t rest = value % unit;
  if (rest == 0) return out;
  std::string digits;
  for (int64_t u = unit / 10; u >= 1; u /= 10) digits += static_cast<char>('0' + (rest / u) % 10);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

std::string file_banner(const std::string& file) {
  std::string base = file.substr(file.rfind('/') == std::string::npos ? 0 : file.rfind('/') + 1);
  return fmt::format("====== Test file: {} ======", base);
}

}  // namespace

std::string go_duration(double seconds) {
  int64_t ns = nanoseconds(seconds);
  if (ns <= 0) return "0s";
  if (ns < 1000) return std::to_string(ns) + "ns";
  if (ns < 1'000'000) return go_fraction(ns, 1000) + "\xc2\xb5s";
  if (ns < 1'000'000'000) return go_fraction(ns, 1'000'000) + "ms";
  std::string out;
  int64_t h = ns / 3'600'000'000'000, m = ns / 60'000'000'000 % 60;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  return out + go_fraction(ns % 60'000'000'000, 1'000'000'000) + "s";
}

TestSummary summarize(const std::vector<TestResult>& results) {
  TestSummary s;
  for (const auto& r : results) {
    (r.passed ? s.passed : s.failed)++;
    s.seconds += r.seconds;
  }
  return s;
}

std::string text_report(const std::vector<std::string>& files,
                        const std::vector<TestResult>& results) {
  std::string out;
  size_t banner = 27;
  for (const auto& file : files) {
    std::string b = file_banner(file);
    banner = b.size();
    std::string rule(banner, '=');
    out += fmt::format("\n{}\n{}\n{}\n", rule, b, rule);
    for (const auto& r : results) {
      if (r.file != file) continue;
      out += fmt::format("=== RUN: {}\n", r.name);
      out += r.passed ? "--- PASS\n" : "--- FAIL\n";
      out += fmt::format("duration: {}\n", go_duration(r.seconds));
      if (!r.out.empty()) out += fmt::format("stdout: {}\n", r.out);
      if (!r.err.empty()) out += fmt::format("stderr: {}\n", r.err);
      for (const auto& e : r.errors) out += fmt::format("Error: {}\n", e);
    }
  }
  TestSummary s = summarize(results);
  if (s.total() == 0) return out + "No tests run! Check config file format.\n";
  if (banner % 2 == 0) ++banner;
  std::string half((banner - 9) / 2, '=');
  out += fmt::format("\n{}\n{} RESULTS {}\n{}\n", std::string(banner, '='), half, half,
                     std::string(banner, '='));
  out += fmt::format("Passes:      {}\nFailures:    {}\nDuration:    {}\nTotal tests: {}\n\n{}\n",
                     s.passed, s.failed, go_duration(s.seconds), s.total(),
                     s.failed == 0 ? "PASS" : "FAIL");
  return out;
}

std::string json_report(const std::vector<TestResult>& results) {
  using json = nlohmann::ordered_json;
  TestSummary s = summarize(results);
  json j = {{"Pass", s.passed},
            {"Fail", s.failed},
            {"Total", s.total()},
            {"Duration", nanoseconds(s.seconds)}};
  if (!results.empty()) {
    json items = json::array();
    for (const auto& r : results) {
      json item = {{"Name", r.name}, {"Pass", r.passed}};
      if (!r.out.empty()) item["Stdout"] = r.out;
      if (!r.err.empty()) item["Stderr"] = r.err;
      if (!r.errors.empty()) item["Errors"] = r.errors;
      item["Duration"] = nanoseconds(r.seconds);
      items.push_back(std::move(item));
    }
    j["Results"] = std::move(items);
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string junit_report(const std::vector<TestResult>& results, const std::string& suite_name) {
  TestSummary s = summarize(results);
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><testsuites failures=\"{}\" tests=\"{}\" "
      "time=\"{}\"><testsuite name=\"{}\">",
      s.failed, s.total(), s.seconds,
      escape_markup(suite_name.empty() ? kDefaultJunitSuiteName : suite_name));
  for (const auto& r : results) {
    out += fmt::format("<testcase name=\"{}\" time=\"{}\">", escape_markup(r.name), r.seconds);
    for (const auto& e : r.errors) out += "<failure>" + escape_markup(e) + "</failure>";
    out += "<system-out>" + escape_markup(r.out) + "</system-out>";
    out += "<system-err>" + escape_markup(r.err) + "</system-err></testcase>";
  }
  return out + "</testsuite></testsuites>\n";
}

}  // namespace distill::verify
