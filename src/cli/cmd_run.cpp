#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "runtime/bundle.hpp"
#include "runtime/launch.hpp"
#include "runtime/runner.hpp"
#include "runtime/runtime_spec.hpp"

namespace distill::cli {
namespace {

struct RunArgs {
  std::string image;
  std::vector<std::string> args;
  std::string platform;
  std::vector<std::string> env;
  std::vector<std::string> volumes;
  std::vector<std::string> cap_add;
  std::optional<std::string> user;
  std::optional<std::string> entrypoint;
  std::string network = "none";
  transport::Options transport;  // --insecure, --ca-cert
};

// `-e K` takes K's value from our environment (and is dropped when unset).
std::vector<std::string> expand_env(const std::vector<std::string>& given) {
  std::vector<std::string> out;
  for (const auto& kv : given) {
    if (kv.find('=') != std::string::npos) {
      out.push_back(kv);
    } else if (const char* v = std::getenv(kv.c_str())) {
      out.push_back(kv + "=" + v);
    }
  }
  return out;
}

core::Result<runtime::RunOptions> run_options(const RunArgs& a) {
  runtime::RunOptions o;
  if (a.network != "none" && a.network != "host")
    return core::make_error("--network " + a.network, "unknown network mode", "use none or host");
  o.host_network = a.network == "host";
  o.env = expand_env(a.env);
  o.user = a.user;
  if (a.entrypoint) {
    o.entrypoint = a.entrypoint->empty() ? std::vector<std::string>{}
                                         : std::vector<std::string>{*a.entrypoint};
  }
  // Everything after IMAGE is the container's; a leading "--" only separates.
  std::vector<std::string> args = a.args;
  if (!args.empty() && args.front() == "--") args.erase(args.begin());
  if (!args.empty()) o.args = std::move(args);
  for (const auto& v : a.volumes) {
    DISTILL_ASSIGN(runtime::BindMount m, runtime::parse_bind_mount(v));
    o.mounts.push_back(std::move(m));
  }
  for (const auto& c : a.cap_add) {
    DISTILL_ASSIGN(std::string cap, runtime::normalize_capability(c));
    o.cap_add.push_back(std::move(cap));
  }
  return o;
}

core::Error interrupted(int sig) {
  return core::make_error(
      "run", "interrupted by " + runtime::signal_name(sig) + " before the container started");
}

// Unpacks, runs and cleans up; the container's exit code.
core::Result<int> run_image(const RunArgs& a) {
  DISTILL_ASSIGN(runtime::RunOptions options, run_options(a));
  if (::geteuid() != 0) {
    return core::make_error("run", "needs root",
                            "runc applies the image's file owners and namespaces; use sudo");
  }
  DISTILL_ASSIGN(std::string runc, runtime::find_runc());
  // Held until the bundle is gone: a Ctrl-C from here on is handled, never fatal.
  runtime::SignalBlock block;
  DISTILL_ASSIGN(runtime::OpenedImage opened,
                 runtime::open_one_image(a.image, a.platform, a.transport));
  const oci::PlatformImage& img = *opened.image;
  DISTILL_ASSIGN(runtime::Bundle bundle, runtime::Bundle::unpack(opened.source->reader(), img));
  if (int sig = runtime::SignalBlock::pending()) return interrupted(sig);
  auto spec = runtime::bundle_spec_json(bundle, img.config.config, options);
  if (!spec.ok()) return spec.error().with_where(a.image);
  DISTILL_TRY(bundle.write_config(*spec));
  runtime::SystemRuncExecutor executor;
  runtime::ContainerRunner runner(executor, runc);
  return runner.run(bundle.path());
}

}  // namespace

Command run_command() {
  return {
      "run", "Run an image under runc: read-only root, no capabilities, own network",
      [](CLI::App& sub, GlobalOptions& g) -> Action {
        auto a = std::make_shared<RunArgs>();
        sub.add_option("image", a->image, "OCI layout folder or docker-archive tar")->required();
        add_transport_options(sub, a->transport);
        sub.add_option("args", a->args, "Arguments replacing the image's cmd (after --)");
        sub.add_option("--platform", a->platform, "os/arch[/variant] (default: the host's)");
        sub.add_option("-e,--env", a->env, "Set K=V (or K from our environment)")
            ->allow_extra_args(false);
        sub.add_option("-v,--volume", a->volumes, "Bind mount HOST:CONTAINER[:ro|rw]")
            ->allow_extra_args(false);
        sub.add_option("--cap-add", a->cap_add, "Keep this capability (e.g. NET_BIND_SERVICE)")
            ->allow_extra_args(false);
        sub.add_option("-u,--user", a->user, "user[:group], by name or number");
        sub.add_option("--entrypoint", a->entrypoint, "Replace the entrypoint (\"\" clears it)");
        sub.add_option("--network", a->network, "none (own namespace, default) or host");
        sub.positionals_at_end();
        return [&g, a]() -> core::Status {
          DISTILL_ASSIGN(g.exit_code, run_image(*a));  // the container's is ours
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
