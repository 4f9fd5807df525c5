#include "verify/lint_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/sarif.hpp"
#include "core/strings.hpp"
#include "verify/elf_deps.hpp"
#include "verify/finding_ignore.hpp"

namespace distill::verify {
namespace {

using LintJson = nlohmann::ordered_json;

core::Result<PlatformLint> lint_platform(image::ImageSource& source, const oci::PlatformImage& img,
                                         const std::vector<FindingIgnore>& ignore) {
  auto fs = read_rootfs_for_elf(source.reader(), img, lint_keep_content);
  if (!fs.ok()) return fs.error().with_where(source.name().where);
  LintInput in;
  in.fs = &*fs;
  in.config = &img.config;
  in.ref_names = img.ref_names;
  PlatformLint out{img.config.platform.str(), {}};
  for (auto& f : lint_image(in))
    if (!any_ignore_matches(ignore, f.id, f.path)) out.findings.push_back(std::move(f));
  return out;
}

std::string title_of(const std::string& id) {
  const LintRule* r = find_lint_rule(id);
  return r ? r->title : id;
}

LintJson finding_json(const LintFinding& f) {
  return {{"id", f.id},
          {"level", lint_level_name(f.level)},
          {"title", title_of(f.id)},
          {"path", f.path.empty() ? LintJson(nullptr) : LintJson(f.path)},
          {"message", f.message}};
}

const char* sarif_level(LintLevel l) {
  switch (l) {
    case LintLevel::kFatal:
      return "error";
    case LintLevel::kWarn:
      return "warning";
    case LintLevel::kInfo:
      return "note";
  }
  return "warning";
}

core::sarif::Result sarif_result(const LintFinding& f, size_t rule_index) {
  core::sarif::Result r;
  r.rule_id = f.id;
  r.rule_index = rule_index;
  r.level = sarif_level(f.level);
  r.message = f.path.empty() ? f.message : f.path + ": " + f.message;
  // Paths are relative to the image's root filesystem.
  if (!f.path.empty())
    r.locations = std::vector<core::sarif::ArtifactLocation>{{f.path.substr(1), "ROOTFS"}};
  return r;
}

}  // namespace

core::Result<LintReport> lint_source(image::ImageSource& source, const LintOptions& options) {
  auto exit_level = parse_lint_level(options.exit_level);
  if (!exit_level)
    return core::make_error("--exit-level " + options.exit_level, "unknown level",
                            "info, warn or fatal");
  DISTILL_ASSIGN(auto selected, source.select_platform(options.platform));
  std::vector<FindingIgnore> ignore;
  for (const auto& text : options.ignore) {
    DISTILL_ASSIGN(FindingIgnore i, parse_finding_ignore(text));
    ignore.push_back(std::move(i));
  }
  LintReport report{source.name().text, options.exit_level, {}, 0};
  for (const oci::PlatformImage* img : selected) {
    DISTILL_ASSIGN(PlatformLint r, lint_platform(source, *img, ignore));
    for (const auto& f : r.findings) report.failing += f.level >= *exit_level;
    report.platforms.push_back(std::move(r));
  }
  return report;
}

std::string lint_report_text(const LintReport& report) {
  std::string out;
  for (const auto& p : report.platforms) {
    out += fmt::format("Platform {}: {} finding{}\n", p.platform, p.findings.size(),
                       p.findings.size() == 1 ? "" : "s");
    std::string group;
    for (const auto& f : p.findings) {
      std::string key = f.id + std::string(lint_level_name(f.level));
      if (key != group) {
        std::string level = core::ascii_upper(lint_level_name(f.level));
        out += fmt::format("{:<6}- {}: {}\n", level, f.id, title_of(f.id));
        group = key;
      }
      if (f.path.empty())
        out += fmt::format("        * {}\n", f.message);
      else
        out += fmt::format("        * {}: {}\n", f.path, f.message);
    }
  }
  return out;
}

nlohmann::ordered_json lint_report_json(const LintReport& report) {
  LintJson images = LintJson::array();
  for (const auto& p : report.platforms) {
    LintJson findings = LintJson::array();
    std::map<std::string, size_t> counts = {{"fatal", 0}, {"warn", 0}, {"info", 0}};
    for (const auto& f : p.findings) {
      findings.push_back(finding_json(f));
      ++counts[std::string(lint_level_name(f.level))];
    }
    images.push_back(
        {{"platform", p.platform},
         {"summary",
          {{"fatal", counts["fatal"]}, {"warn", counts["warn"]}, {"info", counts["info"]}}},
         {"findings", std::move(findings)}});
  }
  return {{"image", report.image}, {"images", std::move(images)}};
}

nlohmann::ordered_json lint_report_sarif(const LintReport& report) {
  std::vector<core::sarif::Rule> rules;
  std::map<std::string, size_t> index;
  for (const auto& r : lint_rules()) {
    index[r.id] = rules.size();
    rules.push_back({r.id, r.title, {}, sarif_level(r.level), nullptr});
  }
  std::vector<core::sarif::Run> runs;
  for (const auto& p : report.platforms) {
    core::sarif::Run run;
    run.tool_name = "distill";
    run.rules = rules;
    run.automation_id = "distill-lint/" + p.platform;
    for (const auto& f : p.findings) run.results.push_back(sarif_result(f, index[f.id]));
    runs.push_back(std::move(run));
  }
  return core::sarif::log_json(runs);
}

core::Status lint_status(const LintReport& report) {
  if (report.failing == 0) return core::Status::Ok();
  return core::make_error(report.image,
                          fmt::format("{} finding{} at level {} or above", report.failing,
                                      report.failing == 1 ? "" : "s", report.exit_level),
                          "fix them, or pass --ignore ID / a higher --exit-level");
}

}  // namespace distill::verify
