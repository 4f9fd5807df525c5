#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "core/strings.hpp"
#include "image/image_source.hpp"
#include "verify/elf_deps.hpp"
#include "verify/lint.hpp"

namespace distill::cli {
namespace {

using json = nlohmann::ordered_json;

struct LintArgs {
  std::string image;
  std::string platform;
  std::string format = "text";
  std::string exit_level = "fatal";
  std::vector<std::string> ignore;
  transport::Options transport;  // --insecure, --ca-cert
};

struct PlatformLint {
  std::string platform;
  std::vector<verify::LintFinding> findings;
};

core::Result<PlatformLint> lint_platform(image::ImageSource& source, const oci::PlatformImage& img,
                                         const std::set<std::string>& ignore) {
  auto fs = verify::read_rootfs_for_elf(source.reader(), img, verify::lint_keep_content);
  if (!fs.ok()) return fs.error().with_where(source.name().where);
  verify::LintInput in;
  in.fs = &*fs;
  in.config = &img.config;
  in.ref_names = img.ref_names;
  PlatformLint out{img.config.platform.str(), {}};
  for (auto& f : verify::lint_image(in))
    if (!ignore.count(f.id)) out.findings.push_back(std::move(f));
  return out;
}

// --- output -------------------------------------------------------------------

std::string title_of(const std::string& id) {
  const verify::LintRule* r = verify::find_lint_rule(id);
  return r ? r->title : id;
}

void print_lint_text(const std::vector<PlatformLint>& results) {
  for (const auto& p : results) {
    std::printf("Platform %s: %zu finding%s\n", p.platform.c_str(), p.findings.size(),
                p.findings.size() == 1 ? "" : "s");
    std::string group;
    for (const auto& f : p.findings) {
      std::string key = f.id + std::string(verify::lint_level_name(f.level));
      if (key != group) {
        std::string level = core::ascii_upper(verify::lint_level_name(f.level));
        std::printf("%-6s- %s: %s\n", level.c_str(), f.id.c_str(), title_of(f.id).c_str());
        group = key;
      }
      if (f.path.empty())
        std::printf("        * %s\n", f.message.c_str());
      else
        std::printf("        * %s: %s\n", f.path.c_str(), f.message.c_str());
    }
  }
}

json finding_json(const verify::LintFinding& f) {
  return {{"id", f.id},
          {"level", verify::lint_level_name(f.level)},
          {"title", title_of(f.id)},
          {"path", f.path.empty() ? json(nullptr) : json(f.path)},
          {"message", f.message}};
}

json lint_report_json(const std::string& image, const std::vector<PlatformLint>& results) {
  json images = json::array();
  for (const auto& p : results) {
    json findings = json::array();
    std::map<std::string, size_t> counts = {{"fatal", 0}, {"warn", 0}, {"info", 0}};
    for (const auto& f : p.findings) {
      findings.push_back(finding_json(f));
      ++counts[std::string(verify::lint_level_name(f.level))];
    }
    images.push_back(
        {{"platform", p.platform},
         {"summary",
          {{"fatal", counts["fatal"]}, {"warn", counts["warn"]}, {"info", counts["info"]}}},
         {"findings", std::move(findings)}});
  }
  return {{"image", image}, {"images", std::move(images)}};
}

const char* sarif_level(verify::LintLevel l) {
  switch (l) {
    case verify::LintLevel::kFatal:
      return "error";
    case verify::LintLevel::kWarn:
      return "warning";
    case verify::LintLevel::kInfo:
      return "note";
  }
  return "warning";
}

// SARIF 2.1.0: one run per platform, every rule described once in the driver.
json report_sarif(const std::vector<PlatformLint>& results) {
  json rules = json::array();
  std::map<std::string, size_t> index;
  for (const auto& r : verify::lint_rules()) {
    index[r.id] = rules.size();
    rules.push_back({{"id", r.id},
                     {"shortDescription", {{"text", r.title}}},
                     {"defaultConfiguration", {{"level", sarif_level(r.level)}}}});
  }
  json runs = json::array();
  for (const auto& p : results) {
    json res = json::array();
    for (const auto& f : p.findings) {
      json r = {{"ruleId", f.id},
                {"ruleIndex", index[f.id]},
                {"level", sarif_level(f.level)},
                {"message", {{"text", f.path.empty() ? f.message : f.path + ": " + f.message}}}};
      if (!f.path.empty())
        r["locations"] = json::array(
            {{{"physicalLocation",
               {{"artifactLocation", {{"uri", f.path.substr(1)}, {"uriBaseId", "ROOTFS"}}}}}}});
      res.push_back(std::move(r));
    }
    runs.push_back({{"tool", {{"driver", {{"name", "distill"}, {"rules", rules}}}}},
                    {"automationDetails", {{"id", "distill-lint/" + p.platform}}},
                    {"results", std::move(res)}});
  }
  return {{"version", "2.1.0"}, {"runs", std::move(runs)}};
}

core::Status run_lint(const LintArgs& a) {
  auto exit_level = verify::parse_lint_level(a.exit_level);
  DISTILL_ASSIGN(auto source, transport::open_image(a.image, a.transport));
  DISTILL_ASSIGN(auto selected, source->select_platform(a.platform));
  std::set<std::string> ignore(a.ignore.begin(), a.ignore.end());
  std::vector<PlatformLint> results;
  size_t failing = 0;
  for (const oci::PlatformImage* img : selected) {
    DISTILL_ASSIGN(PlatformLint r, lint_platform(*source, *img, ignore));
    for (const auto& f : r.findings) failing += f.level >= *exit_level;
    results.push_back(std::move(r));
  }
  if (a.format == "json")
    std::printf("%s\n", lint_report_json(a.image, results)
                            .dump(2, ' ', false, json::error_handler_t::replace)
                            .c_str());
  else if (a.format == "sarif")
    std::printf("%s\n",
                report_sarif(results).dump(2, ' ', false, json::error_handler_t::replace).c_str());
  else
    print_lint_text(results);
  std::fflush(stdout);
  if (failing == 0) return core::Status::Ok();
  return core::make_error(a.image,
                          fmt::format("{} finding{} at level {} or above", failing,
                                      failing == 1 ? "" : "s", a.exit_level),
                          "fix them, or pass --ignore ID / a higher --exit-level");
}

}  // namespace

Command lint_command() {
  return {"lint", "Check an image for hardening problems and unresolved ELF dependencies",
          [](CLI::App& sub, GlobalOptions&) -> Action {
            auto a = std::make_shared<LintArgs>();
            sub.add_option("image", a->image,
                           "OCI layout folder (DIR, DIR:TAG, oci:DIR[:TAG]) or docker-archive tar")
                ->required();
            add_transport_options(sub, a->transport);
            sub.add_option("--platform", a->platform, "Only this platform, e.g. linux/arm64");
            sub.add_option("--format", a->format, "Output format")
                ->check(CLI::IsMember({"text", "json", "sarif"}));
            sub.add_option("--exit-level", a->exit_level,
                           "Fail (exit 1) when a finding has this level or higher (default fatal)")
                ->check(CLI::IsMember({"info", "warn", "fatal"}));
            sub.add_option("--ignore", a->ignore, "Skip the check with this id (repeatable)")
                ->check(CLI::Validator(
                    [](std::string& id) {
                      return verify::find_lint_rule(id)
                                 ? std::string()
                                 : "no such check: " + id + " (docs/lint.md lists them)";
                    },
                    "ID"));
            return [a]() { return run_lint(*a); };
          }};
}

}  // namespace distill::cli
