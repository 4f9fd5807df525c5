#include "runtime/container.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "core/file_util.hpp"
#include "core/json.hpp"
#include "core/strings.hpp"
#include "core/unique_fd.hpp"
#include "runtime/etc_files.hpp"
#include "runtime/init_program.hpp"
#include "runtime/launch.hpp"
#include "runtime/private_network.hpp"
#include "runtime/program_check.hpp"
#include "runtime/root_cache.hpp"

namespace distill::runtime {
namespace {

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

core::Error interrupted(int sig) {
  return core::make_error("run",
                          "interrupted by " + signal_name(sig) + " before the container started");
}

}  // namespace

core::Result<Container> Container::unpack(oci::ImageReader& reader, const oci::PlatformImage& image,
                                          RuncExecutor& executor, std::string runc,
                                          std::string where, BundleOptions bundle_options) {
  DISTILL_ASSIGN(Bundle bundle, Bundle::unpack(reader, image, bundle_options));
  return Container(std::move(bundle), image, executor, std::move(runc), std::move(where));
}

core::Status Container::configure(const RunOptions& given) {
  RunOptions options = given;
  DISTILL_TRY(write_etc_files(options));
  auto spec = bundle_spec_json(bundle_, image_->config.config, options);
  if (!spec.ok()) return where_.empty() ? spec.error() : spec.error().with_where(where_);
  return bundle_.write_config(*spec);
}

// Per run, beside config.json in the bundle (a 0700 folder of ours): the
// image's own /etc/hosts and /etc/resolv.conf are never written.
core::Status Container::write_etc_files(RunOptions& options) const {
  options.hosts_file = bundle_.path() + "/hosts";
  options.resolv_conf = bundle_.path() + "/resolv.conf";
  DISTILL_TRY(
      core::write_file_atomic(options.hosts_file, hosts_file("distill", options.add_hosts), 0644));
  return core::write_file_atomic(
      options.resolv_conf, resolv_conf(read_host_resolv_conf(), options.dns, options.host_network),
      0644);
}

// Before anything starts: a missing program or one for another architecture
// is one clear line, not runc's "exec: no such file or directory".
core::Status Container::check_entrypoint(const RunOptions& options) const {
  const oci::ContainerConfig& config = image_->config.config;
  auto args = process_args(config, options);
  if (!args.ok()) return core::Status::Ok();  // the runtime spec reports it
  ProgramToCheck program{*args,
                         process_env(config, options),
                         config.working_dir.empty() ? "/" : config.working_dir,
                         {"/tmp", "/proc", "/dev", "/sys", kInitMountPoint}};
  for (const BindMount& m : options.mounts) program.not_in_image.push_back(m.destination);
  core::UniqueFd root(::open(bundle_.rootfs().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return core::make_error(where_, "cannot open the bundle's rootfs");
  return check_program(root.get(), program, system_host_exec(), where_);
}

core::Result<int> Container::run(const RunOptions& given, const HealthWatch* health) {
  RunOptions options = given;
  DISTILL_TRY(check_entrypoint(options));
  // Made before the container and gone after it: runc joins its namespace.
  std::optional<PrivateNetwork> network;
  if (options.private_network) {
    DISTILL_ASSIGN(PrivateNetwork started, PrivateNetwork::start(options.ports, bundle_.path()));
    network.emplace(std::move(started));
    options.netns_path = network->netns_path();
  }
  DISTILL_TRY(configure(options));
  ContainerRunner runner(*executor_, runc_);
  return runner.run(bundle_.path(), health);
}

core::Result<std::vector<std::string>> Container::detached_command(const RunOptions& options,
                                                                   const DetachedStart& start) {
  DISTILL_TRY(check_entrypoint(options));
  DISTILL_TRY(configure(options));
  // From here on runc may make the container: the bundle is the caller's
  // to remove, after `runc delete`.
  bundle_.keep();
  std::vector<std::string> argv = {runc_,   "--root",       start.runc_root,
                                   "--log", start.runc_log, "--log-format",
                                   "json",  "run",          "-d"};
  if (!start.pid_file.empty()) {
    argv.push_back("--pid-file");
    argv.push_back(start.pid_file);
  }
  argv.insert(argv.end(), {"--bundle", bundle_.path(), start.id});
  return argv;
}

core::Status Container::start_detached(const RunOptions& options, const DetachedStart& start) {
  DISTILL_ASSIGN(auto argv, detached_command(options, start));
  DISTILL_ASSIGN(int code, executor_->run_logged(argv, start.log));
  if (code == 0) return core::Status::Ok();
  std::string failed = last_runc_error(start.runc_log);
  return core::make_error(
      "run",
      "runc could not start the container" + (failed.empty() ? std::string() : ": " + failed),
      // (The log goes with the container's folder: no use pointing at it.)
      "check the image's entrypoint, user and working directory");
}

core::Result<core::ProcessResult> Container::run_captured(const RunOptions& options) {
  DISTILL_TRY(configure(options));
  ContainerRunner runner(*executor_, runc_);
  return runner.run_captured(bundle_.path());
}

BundleOptions cached_bundle(std::string parent) {
  BundleOptions options;
  options.parent = std::move(parent);
  options.root_cache = RootCache::default_root();
  return options;
}

core::Result<RunOptions> run_options(const RunRequest& a) {
  RunOptions o;
  if (a.tty && a.detach)
    return core::make_error("-t", "cannot be combined with -d",
                            "use distill exec -it NAME CMD for a terminal in it");
  o.terminal = a.tty;
  std::string network = a.network.empty() ? (a.publish.empty() ? "none" : "private") : a.network;
  if (network != "none" && network != "host" && network != "private")
    return core::make_error("--network " + core::escape_control(a.network), "unknown network mode",
                            "use none, host or private");
  if (!a.publish.empty() && network != "private")
    return core::make_error("-p " + core::escape_control(a.publish.front()),
                            "publishing a port needs the container's own network",
                            "drop --network " + network + " (-p implies --network private)");
  o.host_network = network == "host";
  o.private_network = network == "private";
  for (const auto& p : a.publish) {
    DISTILL_ASSIGN(PortMapping m, parse_publish(p));
    o.ports.push_back(std::move(m));
  }
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
    DISTILL_ASSIGN(BindMount m, parse_bind_mount(v));
    o.mounts.push_back(std::move(m));
  }
  for (const auto& c : a.cap_add) {
    DISTILL_ASSIGN(std::string cap, normalize_capability(c));
    o.cap_add.push_back(std::move(cap));
  }
  for (const auto& h : a.add_hosts) {
    DISTILL_ASSIGN(HostEntry e, parse_add_host(h));
    o.add_hosts.push_back(std::move(e));
  }
  for (const auto& d : a.dns) {
    DISTILL_ASSIGN(std::string server, parse_dns_server(d));
    o.dns.push_back(std::move(server));
  }
  if (a.init) {
    DISTILL_ASSIGN(o.init_program, find_init_program());
  }
  return o;
}

core::Result<int> run_image(const image::ImageOpener& open, const RunRequest& request,
                            RuncExecutor& executor) {
  DISTILL_ASSIGN(RunOptions options, run_options(request));
  if (options.terminal) DISTILL_TRY(require_terminal("-t"));
  DISTILL_TRY(require_root("run"));
  DISTILL_ASSIGN(std::string runc, find_runc());
  // Held until the bundle is gone: a Ctrl-C from here on is handled, never fatal.
  SignalBlock block;
  DISTILL_ASSIGN(auto source, open());
  DISTILL_ASSIGN(const oci::PlatformImage* img, select_one_image(*source, request.platform));
  DISTILL_ASSIGN(Container container,
                 Container::unpack(source->reader(), *img, executor, std::move(runc),
                                   source->name().text, cached_bundle()));
  if (int sig = SignalBlock::pending()) return interrupted(sig);
  std::optional<HealthWatch> watch;
  if (!request.no_healthcheck && request.on_health) {
    DISTILL_ASSIGN(auto policy, health_policy(img->config.config.healthcheck));
    if (policy) watch = HealthWatch{*policy, request.on_health};
  }
  return container.run(options, watch ? &*watch : nullptr);
}

}  // namespace distill::runtime
