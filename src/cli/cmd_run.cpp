#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "image/image_source.hpp"
#include "runtime/container.hpp"
#include "runtime/runner.hpp"

namespace distill::cli {
namespace {

struct RunArgs {
  std::string image;
  runtime::RunRequest request;
  transport::Options transport;  // --insecure, --ca-cert
  int stop_timeout = runtime::SystemRuncExecutor::kDefaultGraceSeconds;
};

}  // namespace

Command run_command() {
  return {
      "run", "Run an image under runc: read-only root, no capabilities, own network",
      [](CLI::App& sub, GlobalOptions& g) -> Action {
        auto a = std::make_shared<RunArgs>();
        runtime::RunRequest& r = a->request;
        sub.add_option("image", a->image, "OCI layout folder or docker-archive tar")->required();
        add_transport_options(sub, a->transport);
        sub.add_option("args", r.args, "Arguments replacing the image's cmd (after --)");
        sub.add_option("--platform", r.platform, "os/arch[/variant] (default: the host's)");
        sub.add_option("-e,--env", r.env, "Set K=V (or K from our environment)")
            ->allow_extra_args(false);
        sub.add_option("-v,--volume", r.volumes, "Bind mount HOST:CONTAINER[:ro|rw]")
            ->allow_extra_args(false);
        sub.add_option("--cap-add", r.cap_add, "Keep this capability (e.g. NET_BIND_SERVICE)")
            ->allow_extra_args(false);
        sub.add_option("-u,--user", r.user, "user[:group], by name or number");
        sub.add_option("--entrypoint", r.entrypoint, "Replace the entrypoint (\"\" clears it)");
        sub.add_option("--network", r.network,
                       "none (own namespace, loopback only: the default), host, or private "
                       "(own namespace with outbound network through pasta; implied by -p)");
        sub.add_option("-p,--publish", r.publish,
                       "Publish [IP:]HOST:CONTAINER[/tcp|udp] (IP defaults to 127.0.0.1)")
            ->allow_extra_args(false);
        sub.add_option("--add-host", r.add_hosts, "Add NAME:IP to the container's /etc/hosts")
            ->allow_extra_args(false);
        sub.add_option("--dns", r.dns, "Name server for the container's /etc/resolv.conf")
            ->allow_extra_args(false);
        sub.add_flag("--init", r.init,
                     "Run distill-init as process 1: signals forwarded, orphans reaped");
        sub.add_option("--stop-timeout", a->stop_timeout,
                       "Seconds between a forwarded SIGTERM and SIGKILL (default 10)")
            ->check(CLI::Range(0, 3600));
        sub.positionals_at_end();
        return [&g, a]() -> core::Status {
          runtime::SystemRuncExecutor executor(a->stop_timeout);
          auto open = [&] { return transport::open_image(a->image, a->transport); };
          // The container's exit code is ours.
          DISTILL_ASSIGN(g.exit_code, runtime::run_image(open, a->request, executor));
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
