#include "runtime/runtime_spec.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/file_util.hpp"
#include "core/strings.hpp"
#include "oci/image_config.hpp"
#include "runtime/init_program.hpp"

namespace distill::runtime {
namespace {

using json = nlohmann::ordered_json;

// Linux capabilities (capability.h, up to 5.x kernels).
constexpr std::array<const char*, 41> kCapabilities = {"CAP_CHOWN",
                                                       "CAP_DAC_OVERRIDE",
                                                       "CAP_DAC_READ_SEARCH",
                                                       "CAP_FOWNER",
                                                       "CAP_FSETID",
                                                       "CAP_KILL",
                                                       "CAP_SETGID",
                                                       "CAP_SETUID",
                                                       "CAP_SETPCAP",
                                                       "CAP_LINUX_IMMUTABLE",
                                                       "CAP_NET_BIND_SERVICE",
                                                       "CAP_NET_BROADCAST",
                                                       "CAP_NET_ADMIN",
                                                       "CAP_NET_RAW",
                                                       "CAP_IPC_LOCK",
                                                       "CAP_IPC_OWNER",
                                                       "CAP_SYS_MODULE",
                                                       "CAP_SYS_RAWIO",
                                                       "CAP_SYS_CHROOT",
                                                       "CAP_SYS_PTRACE",
                                                       "CAP_SYS_PACCT",
                                                       "CAP_SYS_ADMIN",
                                                       "CAP_SYS_BOOT",
                                                       "CAP_SYS_NICE",
                                                       "CAP_SYS_RESOURCE",
                                                       "CAP_SYS_TIME",
                                                       "CAP_SYS_TTY_CONFIG",
                                                       "CAP_MKNOD",
                                                       "CAP_LEASE",
                                                       "CAP_AUDIT_WRITE",
                                                       "CAP_AUDIT_CONTROL",
                                                       "CAP_SETFCAP",
                                                       "CAP_MAC_OVERRIDE",
                                                       "CAP_MAC_ADMIN",
                                                       "CAP_SYSLOG",
                                                       "CAP_WAKE_ALARM",
                                                       "CAP_BLOCK_SUSPEND",
                                                       "CAP_AUDIT_READ",
                                                       "CAP_PERFMON",
                                                       "CAP_BPF",
                                                       "CAP_CHECKPOINT_RESTORE"};

core::Result<std::string> container_path(std::string_view path, std::string_view what) {
  if (path.empty() || path.front() != '/')
    return core::make_error(std::string(what),
                            "'" + std::string(path) + "' is not an absolute path");
  auto norm = core::normalize_relative_path(path.substr(1));
  if (!norm)
    return core::make_error(std::string(what), "'" + std::string(path) + "' contains '..'");
  return "/" + *norm;
}

std::string env_key(std::string_view kv) {
  return std::string(kv.substr(0, kv.find('=')));
}

json mount(std::string_view dest, std::string_view type, std::string_view source,
           std::vector<std::string> options) {
  return {{"destination", dest}, {"type", type}, {"source", source}, {"options", options}};
}

json mounts(const RunOptions& o) {
  json m = json::array();
  m.push_back(mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}));
  m.push_back(
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}));
  m.push_back(mount("/dev/pts", "devpts", "devpts",
                    {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}));
  m.push_back(
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
  m.push_back(mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}));
  m.push_back(mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}));
  m.push_back(
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}));
  if (o.tmp_source.empty()) {
    m.push_back(mount("/tmp", "tmpfs", "tmpfs", {"nosuid", "nodev", "mode=1777"}));
  } else {
    m.push_back(mount("/tmp", "bind", o.tmp_source, {"rbind", "rprivate", "nosuid", "nodev"}));
  }
  // Read-only and inert: a per-run file of ours, never part of the image.
  if (!o.hosts_file.empty())
    m.push_back(mount("/etc/hosts", "bind", o.hosts_file,
                      {"rbind", "rprivate", "ro", "nosuid", "nodev", "noexec"}));
  if (!o.resolv_conf.empty())
    m.push_back(mount("/etc/resolv.conf", "bind", o.resolv_conf,
                      {"rbind", "rprivate", "ro", "nosuid", "nodev", "noexec"}));
  if (!o.init_program.empty())
    m.push_back(mount(kInitMountPoint, "bind", o.init_program,
                      {"rbind", "rprivate", "ro", "nosuid", "nodev"}));
  for (const auto& b : o.mounts) {
    std::vector<std::string> opts = {"rbind", "rprivate"};
    if (b.read_only) opts.push_back("ro");
    m.push_back(mount(b.destination, "bind", b.source, opts));
  }
  return m;
}

json namespaces(const RunOptions& o) {
  json ns = json::array();
  if (o.join_namespaces_of > 0) {
    const std::string proc = "/proc/" + std::to_string(o.join_namespaces_of) + "/ns/";
    for (const char* t : {"pid", "ipc", "uts"}) ns.push_back({{"type", t}, {"path", proc + t}});
    ns.push_back({{"type", "network"}, {"path", proc + "net"}});
    // Its own root and mounts: the target's files show under /proc/1/root.
    for (const char* t : {"mount", "cgroup"}) ns.push_back({{"type", t}});
    return ns;
  }
  for (const char* t : {"pid", "ipc", "uts", "mount", "cgroup"}) ns.push_back({{"type", t}});
  if (!o.netns_path.empty())
    ns.push_back({{"type", "network"}, {"path", o.netns_path}});
  else if (!o.host_network)
    ns.push_back({{"type", "network"}});
  return ns;
}

}  // namespace

core::Result<BindMount> parse_bind_mount(std::string_view spec) {
  const std::string where = "-v " + std::string(spec);
  size_t c1 = spec.find(':');
  if (c1 == std::string_view::npos)
    return core::make_error(where, "expected HOST:CONTAINER[:ro|rw]");
  std::string_view rest = spec.substr(c1 + 1);
  size_t c2 = rest.find(':');
  BindMount b;
  if (c2 != std::string_view::npos) {
    std::string_view mode = rest.substr(c2 + 1);
    if (mode != "ro" && mode != "rw")
      return core::make_error(where, "unknown mode '" + std::string(mode) + "'", "use ro or rw");
    b.read_only = mode == "ro";
    rest = rest.substr(0, c2);
  }
  std::string_view host = spec.substr(0, c1);
  if (host.empty() || host.front() != '/')
    return core::make_error(where, "the host path must be absolute");
  b.source = std::string(host);
  DISTILL_ASSIGN(b.destination, container_path(rest, where));
  if (b.destination == "/") return core::make_error(where, "cannot mount over the root");
  return b;
}

core::Result<std::string> normalize_capability(std::string_view name) {
  std::string up = core::ascii_upper(name);
  if (!up.starts_with("CAP_")) up = "CAP_" + up;
  for (const char* c : kCapabilities)
    if (up == c) return up;
  return core::make_error("--cap-add " + std::string(name), "unknown capability",
                          "names as in capabilities(7), e.g. NET_BIND_SERVICE");
}

core::Result<std::vector<std::string>> process_args(const oci::ContainerConfig& config,
                                                    const RunOptions& options) {
  std::vector<std::string> argv = options.entrypoint.value_or(config.entrypoint);
  const std::vector<std::string> no_cmd;
  // Docker semantics: a new entrypoint drops the image's cmd.
  const auto& cmd = options.args ? *options.args : (options.entrypoint ? no_cmd : config.cmd);
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  if (argv.empty())
    return core::make_error("image config", "no entrypoint and no cmd",
                            "give a command after the image");
  return argv;
}

std::vector<std::string> process_env(const oci::ContainerConfig& config,
                                     const RunOptions& options) {
  std::vector<std::string> env = config.env;
  for (const auto& kv : options.env) {
    std::string key = env_key(kv);
    auto it = std::find_if(env.begin(), env.end(),
                           [&](const std::string& e) { return env_key(e) == key; });
    if (it != env.end())
      *it = kv;
    else
      env.push_back(kv);
  }
  if (std::none_of(env.begin(), env.end(),
                   [](const std::string& e) { return env_key(e) == "PATH"; }))
    env.insert(env.begin(), "PATH=" + std::string(oci::kDefaultPath));
  return env;
}

core::Result<std::string> runtime_spec_json(const oci::ContainerConfig& config,
                                            const RunOptions& options, const ProcessUser& user) {
  DISTILL_ASSIGN(std::vector<std::string> args, process_args(config, options));
  if (!options.init_program.empty()) args.insert(args.begin(), kInitMountPoint);
  std::string cwd = "/";
  if (!config.working_dir.empty()) {
    DISTILL_ASSIGN(cwd, container_path(config.working_dir, "image config WorkingDir"));
  }
  json caps = options.cap_add;
  json u = {{"uid", user.uid}, {"gid", user.gid}};
  if (!user.additional_gids.empty()) u["additionalGids"] = user.additional_gids;
  json process = {
      {"terminal", options.terminal},
      {"user", u},
      {"args", args},
      {"env", process_env(config, options)},
      {"cwd", cwd},
      {"capabilities",
       {{"bounding", caps},
        {"effective", caps},
        {"inheritable", caps},
        {"permitted", caps},
        {"ambient", caps}}},
      {"rlimits", json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}})},
      {"noNewPrivileges", true}};
  json linux = {{"namespaces", namespaces(options)},
                {"maskedPaths",
                 {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                  "/sys/firmware"}},
                {"readonlyPaths",
                 {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}};
  json spec = {{"ociVersion", "1.0.2"},
               {"process", process},
               {"root",
                {{"path", options.root_path.empty() ? "rootfs" : options.root_path},
                 {"readonly", !options.writable_root}}},
               {"hostname", "distill"},
               {"mounts", mounts(options)},
               {"linux", linux}};
  if (options.join_namespaces_of > 0) spec.erase("hostname");  // the target's, unchanged
  return spec.dump(2) + "\n";
}

}  // namespace distill::runtime
