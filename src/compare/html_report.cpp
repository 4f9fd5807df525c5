#include "compare/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/units.hpp"
#include "verify/text_util.hpp"

namespace distill::compare {
namespace {

constexpr size_t kChartPackages = 30;  // the largest ones; the JSON has them all
constexpr const char* kColorA = "#3b6ea5";
constexpr const char* kColorB = "#e08a2c";

constexpr const char* kStyle = R"(
body{font-family:sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.fatal{color:#b00020}.warn{color:#a56a00}.info{color:#555}
.a{color:#3b6ea5}.b{color:#e08a2c}
)";

struct Bar {
  std::string name;
  uint64_t a = 0;
  uint64_t b = 0;
};

// The packages with the most bytes in either image, largest first.
std::vector<Bar> chart_bars(const Comparison& c) {
  std::map<std::string, Bar> by_name;
  for (const auto& s : c.a.package_sizes) by_name[s.name] = {s.name, s.bytes, 0};
  for (const auto& s : c.b.package_sizes) {
    Bar& bar = by_name[s.name];
    bar.name = s.name;
    bar.b = s.bytes;
  }
  std::vector<Bar> bars;
  for (auto& [name, bar] : by_name) bars.push_back(bar);
  std::sort(bars.begin(), bars.end(), [](const Bar& x, const Bar& y) {
    uint64_t mx = std::max(x.a, x.b), my = std::max(y.a, y.b);
    return mx != my ? mx > my : x.name < y.name;
  });
  if (bars.size() > kChartPackages) bars.resize(kChartPackages);
  return bars;
}

std::string bar_chart(const Comparison& c) {
  auto bars = chart_bars(c);
  uint64_t max = 1;
  for (const auto& b : bars) max = std::max({max, b.a, b.b});
  const int label_w = 220, bar_w = 480, row_h = 28, top = 30;
  int height = top + row_h * static_cast<int>(bars.size()) + 10;
  std::string svg = fmt::format(
      "<svg id=\"size-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "role=\"img\" aria-label=\"Size by package\">\n"
      "<rect x=\"{}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{}\"/>"
      "<text x=\"{}\" y=\"15\" font-size=\"12\">A</text>"
      "<rect x=\"{}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{}\"/>"
      "<text x=\"{}\" y=\"15\" font-size=\"12\">B</text>\n",
      label_w + bar_w + 110, height, label_w, kColorA, label_w + 16, label_w + 40, kColorB,
      label_w + 56);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    int y = top + row_h * static_cast<int>(i);
    auto width = [&](uint64_t v) {
      return v == 0 ? 0 : std::max(1, static_cast<int>(double(v) / double(max) * bar_w));
    };
    svg += fmt::format(
        "<g class=\"bar\" data-package=\"{0}\" data-a=\"{1}\" data-b=\"{2}\">"
        "<text x=\"{3}\" y=\"{4}\" font-size=\"12\" text-anchor=\"end\">{0}</text>"
        "<rect class=\"bar-a\" x=\"{5}\" y=\"{6}\" width=\"{7}\" height=\"11\" fill=\"{8}\"/>"
        "<rect class=\"bar-b\" x=\"{5}\" y=\"{9}\" width=\"{10}\" height=\"11\" fill=\"{11}\"/>"
        "<text x=\"{12}\" y=\"{4}\" font-size=\"11\">{13} / {14}</text></g>\n",
        html_escape(b.name), b.a, b.b, label_w - 8, y + 14, label_w, y + 2, width(b.a), kColorA,
        y + 13, width(b.b), kColorB, label_w + std::max(width(b.a), width(b.b)) + 6,
        core::human_size(b.a), core::human_size(b.b));
  }
  return svg + "</svg>\n";
}

std::string summary_table(const Comparison& c) {
  std::string out = fmt::format(
      "<table id=\"summary\"><tr><th>Metric</th><th class=\"a\">A: {}</th>"
      "<th class=\"b\">B: {}</th></tr>\n",
      html_escape(c.a.reference), html_escape(c.b.reference));
  for (const auto& r : summary_rows(c))
    out += fmt::format(
        "<tr data-metric=\"{}\"><td>{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td></tr>\n",
        r.key, html_escape(r.label), format_value(r.a, r.bytes), format_value(r.b, r.bytes));
  return out + "</table>\n";
}

std::string findings_table(const ImageProfile& p, const char* id) {
  std::string out = fmt::format(
      "<table id=\"{}\"><tr><th>Level</th><th>Check</th><th>Path</th>"
      "<th>Finding</th></tr>\n",
      id);
  for (const auto& f : p.lint) {
    std::string level(verify::lint_level_name(f.level));
    out += fmt::format("<tr class=\"{0}\"><td>{0}</td><td>{1}</td><td>{2}</td><td>{3}</td></tr>\n",
                       level, html_escape(f.id), html_escape(f.path), html_escape(f.message));
  }
  if (p.lint.empty()) out += "<tr><td colspan=\"4\">no findings</td></tr>\n";
  return out + "</table>\n";
}

std::string only_table(const std::vector<PackageSize>& v, uint64_t total, const char* id) {
  std::string out = fmt::format(
      "<table id=\"{}\"><tr><th>Package</th><th>Size</th></tr>\n"
      "<tr><td><b>total ({} packages)</b></td><td class=\"n\"><b>{}</b></td></tr>\n",
      id, v.size(), core::human_size(total));
  for (const auto& s : v)
    out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>\n", html_escape(s.name),
                       core::human_size(s.bytes));
  return out + "</table>\n";
}

}  // namespace

std::string html_escape(std::string_view s) {
  return verify::escape_markup(s);
}

std::string html_report(const Comparison& c) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += fmt::format("<title>distill compare: {} vs {}</title>\n<style>{}</style></head><body>\n",
                     html_escape(c.a.reference), html_escape(c.b.reference), kStyle);
  out += fmt::format(
      "<h1>distill compare</h1>\n<p><span class=\"a\">A: {}</span> ({}) &mdash; "
      "<span class=\"b\">B: {}</span> ({})</p>\n",
      html_escape(c.a.reference), html_escape(c.a.platform), html_escape(c.b.reference),
      html_escape(c.b.platform));
  out += "<h2>Summary</h2>\n" + summary_table(c);
  out += "<h2>Size by package</h2>\n" + bar_chart(c);
  out += "<h2>Only in A</h2>\n" + only_table(c.only_in_a, c.only_in_a_bytes, "only-in-a");
  out += "<h2>Only in B</h2>\n" + only_table(c.only_in_b, c.only_in_b_bytes, "only-in-b");
  out += "<h2>Findings in A</h2>\n" + findings_table(c.a, "findings-a");
  out += "<h2>Findings in B</h2>\n" + findings_table(c.b, "findings-b");
  return out + "</body></html>\n";
}

}  // namespace distill::compare
