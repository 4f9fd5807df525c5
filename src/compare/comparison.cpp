#include "compare/comparison.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/units.hpp"

namespace distill::compare {
namespace {

using json = nlohmann::ordered_json;

std::vector<PackageSize> missing_from(const ImageProfile& have, const ImageProfile& other,
                                      uint64_t& total) {
  std::set<std::string> names;
  for (const auto& p : other.packages) names.insert(p.name);
  std::vector<PackageSize> out;
  for (const auto& s : have.package_sizes) {
    if (names.count(s.name)) continue;
    out.push_back(s);
    total += s.bytes;
  }
  return out;
}

}  // namespace

std::vector<SummaryRow> summary_rows(const Comparison& c) {
  const ImageProfile& a = c.a;
  const ImageProfile& b = c.b;
  auto u = [](auto v) { return static_cast<uint64_t>(v); };
  std::vector<SummaryRow> rows = {
      {"compressed_size", "Compressed size", u(a.compressed_size), u(b.compressed_size), true},
      {"uncompressed_size", "Uncompressed size", u(a.uncompressed_size), u(b.uncompressed_size),
       true},
      {"content_bytes", "File contents", a.content_bytes, b.content_bytes, true},
      {"layers", "Layers", a.layers, b.layers},
      {"files", "Files", a.files, b.files},
      {"packages", "Packages", a.packages.size(), b.packages.size()},
      {"executables", "Executables", a.executables, b.executables},
      {"shells", "Shells", a.shells.size(), b.shells.size()},
      {"package_managers", "Package managers", a.package_managers.size(),
       b.package_managers.size()},
      {"interpreters", "Interpreters", a.interpreters.size(), b.interpreters.size()},
      {"setuid_files", "Setuid/setgid files", a.setuid.size(), b.setuid.size()},
  };
  for (auto level :
       {verify::LintLevel::kFatal, verify::LintLevel::kWarn, verify::LintLevel::kInfo}) {
    std::string name(verify::lint_level_name(level));
    rows.push_back(
        {"lint_" + name, "Lint findings (" + name + ")", a.lint_count(level), b.lint_count(level)});
  }
  if (a.vulnerabilities && b.vulnerabilities)
    for (const auto& [severity, count] : *a.vulnerabilities)
      rows.push_back({"vulnerabilities_" + severity, "Vulnerabilities (" + severity + ")", count,
                      b.vulnerabilities->at(severity)});
  return rows;
}

std::string format_value(uint64_t v, bool bytes) {
  return bytes ? core::human_size(v) : std::to_string(v);
}

namespace {

std::string difference(const SummaryRow& r) {
  if (r.a == r.b) return "=";
  std::string sign = r.a > r.b ? "-" : "+";
  uint64_t d = r.a > r.b ? r.a - r.b : r.b - r.a;
  std::string out = sign + format_value(d, r.bytes);
  if (r.bytes && r.a > 0)
    out += fmt::format(" ({:+.0f}%)", 100.0 * (double(r.b) - double(r.a)) / double(r.a));
  return out;
}

json size_json(const PackageSize& s) {
  return {{"name", s.name},
          {"bytes", s.bytes},
          {"files", s.files},
          {"source", size_source_name(s.source)}};
}

json sizes_json(const std::vector<PackageSize>& v) {
  json out = json::array();
  for (const auto& s : v) out.push_back(size_json(s));
  return out;
}

json profile_json(const ImageProfile& p) {
  json lint = json::array();
  for (const auto& f : p.lint)
    lint.push_back({{"id", f.id},
                    {"level", verify::lint_level_name(f.level)},
                    {"path", f.path.empty() ? json(nullptr) : json(f.path)},
                    {"message", f.message}});
  json j;
  j["reference"] = p.reference;
  j["platform"] = p.platform;
  j["compressed_size"] = p.compressed_size;
  j["uncompressed_size"] = p.uncompressed_size;
  j["content_bytes"] = p.content_bytes;
  j["layers"] = p.layers;
  j["files"] = p.files;
  j["package_count"] = p.packages.size();
  j["executables"] = p.executables;
  j["shells"] = p.shells;
  j["package_managers"] = p.package_managers;
  j["interpreters"] = p.interpreters;
  j["setuid_files"] = p.setuid;
  j["lint_summary"] = {{"fatal", p.lint_count(verify::LintLevel::kFatal)},
                       {"warn", p.lint_count(verify::LintLevel::kWarn)},
                       {"info", p.lint_count(verify::LintLevel::kInfo)}};
  j["lint"] = std::move(lint);
  j["vulnerabilities"] = p.vulnerabilities ? json(*p.vulnerabilities) : json(nullptr);
  j["package_sizes"] = sizes_json(p.package_sizes);
  return j;
}

void append_list(std::string& out, const char* title, const std::vector<PackageSize>& v,
                 uint64_t total) {
  out += fmt::format("\n{} ({} packages, {}):\n", title, v.size(), core::human_size(total));
  size_t w = 7;
  for (const auto& s : v) w = std::max(w, s.name.size());
  for (const auto& s : v)
    out += fmt::format("  {:<{}}  {:>10}  {}\n", s.name, w, core::human_size(s.bytes),
                       s.source == SizeSource::kFileList ? "" : size_source_name(s.source));
}

}  // namespace

Comparison compare_profiles(ImageProfile a, ImageProfile b) {
  Comparison c;
  c.only_in_a = missing_from(a, b, c.only_in_a_bytes);
  c.only_in_b = missing_from(b, a, c.only_in_b_bytes);
  c.a = std::move(a);
  c.b = std::move(b);
  return c;
}

json comparison_json(const Comparison& c) {
  json summary = json::array();
  for (const auto& r : summary_rows(c))
    summary.push_back({{"metric", r.key}, {"a", r.a}, {"b", r.b}});
  json j;
  j["a"] = profile_json(c.a);
  j["b"] = profile_json(c.b);
  j["summary"] = std::move(summary);
  j["only_in_a"] = {{"bytes", c.only_in_a_bytes}, {"packages", sizes_json(c.only_in_a)}};
  j["only_in_b"] = {{"bytes", c.only_in_b_bytes}, {"packages", sizes_json(c.only_in_b)}};
  return j;
}

std::string comparison_table(const Comparison& c) {
  auto rows = summary_rows(c);
  std::string ha = "A: " + c.a.reference, hb = "B: " + c.b.reference;
  size_t wl = 6, wa = ha.size(), wb = hb.size();
  for (const auto& r : rows) {
    wl = std::max(wl, r.label.size());
    wa = std::max(wa, format_value(r.a, r.bytes).size());
    wb = std::max(wb, format_value(r.b, r.bytes).size());
  }
  std::string out =
      fmt::format("{:<{}}  {:>{}}  {:>{}}  {}\n", "Metric", wl, ha, wa, hb, wb, "B vs A");
  for (const auto& r : rows)
    out += fmt::format("{:<{}}  {:>{}}  {:>{}}  {}\n", r.label, wl, format_value(r.a, r.bytes), wa,
                       format_value(r.b, r.bytes), wb, difference(r));
  if (!c.a.vulnerabilities || !c.b.vulnerabilities)
    out += "Vulnerabilities: not counted (no database; see 'distill db update')\n";
  append_list(out, "Only in A", c.only_in_a, c.only_in_a_bytes);
  append_list(out, "Only in B", c.only_in_b, c.only_in_b_bytes);
  return out;
}

}  // namespace distill::compare
