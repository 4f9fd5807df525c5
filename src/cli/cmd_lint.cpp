#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "image/image_source.hpp"
#include "verify/finding_ignore.hpp"
#include "verify/lint.hpp"
#include "verify/lint_report.hpp"

namespace distill::cli {
namespace {

struct LintArgs {
  std::string image;
  verify::LintOptions options;
  std::string format = "text";
  transport::Options transport;  // --insecure, --ca-cert
};

std::string render_lint(const verify::LintReport& r, const std::string& format) {
  if (format == "text") return verify::lint_report_text(r);
  auto j = format == "json" ? verify::lint_report_json(r) : verify::lint_report_sarif(r);
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

Command lint_command() {
  return {
      "lint", "Check an image for hardening problems and unresolved ELF dependencies",
      [](CLI::App& sub, GlobalOptions&) -> Action {
        auto a = std::make_shared<LintArgs>();
        add_image_argument(sub, a->image, a->transport);
        sub.add_option("--platform", a->options.platform, "Only this platform, e.g. linux/arm64");
        sub.add_option("--format", a->format, "Output format")
            ->check(CLI::IsMember({"text", "json", "sarif"}));
        sub.add_option("--exit-level", a->options.exit_level,
                       "Fail (exit 1) when a finding has this level or higher (default fatal)")
            ->check(CLI::IsMember({"info", "warn", "fatal"}));
        sub.add_option("--ignore", a->options.ignore,
                       "Leave out the findings of a check ID, on a /path, or ID:/path (repeatable)")
            ->check(CLI::Validator(
                [](std::string& text) {
                  auto parsed = verify::parse_finding_ignore(text);
                  return parsed.ok() ? std::string() : parsed.error().message();
                },
                "ID|/PATH|ID:/PATH"));
        return [a]() -> core::Status {
          DISTILL_ASSIGN(auto source, transport::open_image(a->image, a->transport));
          DISTILL_ASSIGN(verify::LintReport r, verify::lint_source(*source, a->options));
          std::string out = render_lint(r, a->format);
          std::fwrite(out.data(), 1, out.size(), stdout);
          std::fflush(stdout);
          return verify::lint_status(r);
        };
      }};
}

}  // namespace distill::cli
