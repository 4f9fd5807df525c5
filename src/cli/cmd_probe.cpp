#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "image/image_source.hpp"
#include "probe/probe_report.hpp"
#include "probe/probe_runner.hpp"
#include "runtime/runner.hpp"

namespace distill::cli {
namespace {

struct ProbeArgs {
  std::string image;
  std::string platform;
  std::string format = "text";
  transport::Options transport;  // --insecure, --ca-cert
};

}  // namespace

Command probe_command() {
  return {
      "probe",
      "Run a static probe in the image (as its user) and report what an attacker could use",
      [](CLI::App& sub, GlobalOptions&) -> Action {
        auto a = std::make_shared<ProbeArgs>();
        sub.add_option("image", a->image, "OCI layout folder or docker-archive tar")->required();
        add_transport_options(sub, a->transport);
        sub.add_option("--platform", a->platform, "The platform to run, e.g. linux/amd64");
        sub.add_option("--format", a->format, "text or json")
            ->check(CLI::IsMember({"text", "json"}))
            ->capture_default_str();
        return [a]() -> core::Status {
          runtime::SystemRuncExecutor executor;
          auto open = [&] { return transport::open_image(a->image, a->transport); };
          DISTILL_ASSIGN(auto findings, probe::probe_image(open, a->platform, executor));
          std::string out =
              a->format == "json"
                  ? probe::probe_report_json(a->image, findings)
                            .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
                        "\n"
                  : probe::probe_report_text(a->image, findings);
          std::fwrite(out.data(), 1, out.size(), stdout);
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
