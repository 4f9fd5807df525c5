#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "image/image_source.hpp"
#include "runtime/container.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/runner.hpp"
#include "trust/image_signing.hpp"

namespace distill::cli {
namespace {

struct RunArgs {
  std::string image;
  runtime::RunRequest request;
  transport::Options transport;  // --insecure, --ca-cert
  int stop_timeout = runtime::SystemRuncExecutor::kDefaultGraceSeconds;
  std::string verify_key;  // public key: a registry image must carry a valid signature
};

}  // namespace

Command run_command() {
  return {"run", "Run an image under runc: read-only root, no capabilities, own network",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto a = std::make_shared<RunArgs>();
            runtime::RunRequest& r = a->request;
            sub.add_option("image", a->image,
                           "OCI layout folder, docker-archive tar or registry reference")
                ->required();
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
            sub.add_option("--name", r.name,
                           "Name the container (default for -d: distill-<12 hex digits>)");
            sub.add_flag("-d,--detach", r.detach,
                         "Keep it running in the background; print its name (logs, exec, stop)");
            sub.add_flag("-i,--interactive", r.interactive, "Attach stdin (default: /dev/null)");
            sub.add_flag("-t,--tty", r.tty,
                         "A terminal for the process (stdin must be one; with -i, as docker -it)");
            sub.add_option("--stop-timeout", a->stop_timeout,
                           "Seconds between a forwarded SIGTERM and SIGKILL (default 10)")
                ->check(CLI::Range(0, 3600));
            sub.add_flag("--no-healthcheck", r.no_healthcheck,
                         "Do not run the image's healthcheck (docs/run.md)");
            sub.add_option("--verify-key", a->verify_key,
                           "Refuse a registry image unless its signature verifies with this public "
                           "key; the verified digest is what runs (docs/signing.md)");
            sub.positionals_at_end();
            return [&g, a]() -> core::Status {
              if (!a->verify_key.empty()) {
                DISTILL_ASSIGN(a->image, trust::require_signature(a->image, a->verify_key,
                                                                  a->transport.remote));
              }
              a->request.image = a->image;
              a->request.on_health = [](const runtime::HealthState& state) {
                std::fprintf(stderr, "distill: health: %s\n", state.describe().c_str());
              };
              if (a->request.detach && a->request.interactive)
                return core::make_error("-i", "cannot be combined with -d",
                                        "use distill exec -i NAME CMD to talk to it");
              // runc reads a terminal's input itself with -t.
              runtime::SystemRuncExecutor executor(a->stop_timeout,
                                                   a->request.interactive || a->request.tty);
              auto open = [&] { return transport::open_image(a->image, a->transport); };
              runtime::StateStore store(runtime::StateStore::default_root());
              if (a->request.detach) {
                DISTILL_ASSIGN(std::string name,
                               runtime::run_detached(open, a->request, executor, store));
                std::printf("%s\n", name.c_str());
                return core::Status::Ok();
              }
              // The container's exit code is ours.
              DISTILL_ASSIGN(g.exit_code, runtime::run_named(open, a->request, executor, store));
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
