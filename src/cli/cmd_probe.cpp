#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "probe/probe_binary.hpp"
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

core::Status run_probe_command(const ProbeArgs& a) {
  if (::geteuid() != 0)
    return core::make_error("probe", "needs root",
                            "runc applies the image's file owners and namespaces; use sudo");
  probe::ProbeRun run{a.image, a.platform, {}, {}, a.transport};
  DISTILL_ASSIGN(run.probe, probe::find_probe_binary());
  DISTILL_ASSIGN(run.runc, runtime::find_runc());
  std::string output;
  {
    // Held until the bundle is gone: a Ctrl-C is handled, never fatal.
    runtime::SignalBlock block;
    runtime::SystemRuncExecutor executor;
    DISTILL_ASSIGN(output, probe::run_probe(run, executor));
  }
  DISTILL_ASSIGN(auto findings, probe::parse_probe_output(output, a.image));
  if (a.format == "json")
    std::printf("%s\n", probe::probe_report_json(a.image, findings)
                            .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                            .c_str());
  else
    std::fputs(probe::probe_report_text(a.image, findings).c_str(), stdout);
  return core::Status::Ok();
}

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
        return [a]() { return run_probe_command(*a); };
      }};
}

}  // namespace distill::cli
