#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/image_config.hpp"
#include "runtime/etc_files.hpp"
#include "runtime/port_mapping.hpp"
#include "runtime/user.hpp"

namespace distill::runtime {

// `-v HOST:CTR[:ro|rw]`.
struct BindMount {
  std::string source;       // absolute host path
  std::string destination;  // absolute container path
  bool read_only = false;
};

// What `distill run` may change about the image's defaults.
struct RunOptions {
  // --entrypoint: replaces the image's entrypoint and drops its cmd; an
  // empty list clears it (what container-structure-test does).
  std::optional<std::vector<std::string>> entrypoint;
  // Arguments after the image: replace the cmd.
  std::optional<std::vector<std::string>> args;
  std::vector<std::string> env;  // "K=V", override the image's
  std::optional<std::string> user;
  std::vector<BindMount> mounts;
  std::vector<std::string> cap_add;  // normalised "CAP_*" names
  bool host_network = false;
  // `--network private` (implied by -p): a namespace of its own with pasta's
  // outbound network and `ports` published; Container makes it and sets
  // `netns_path`, the namespace runc joins.
  bool private_network = false;
  std::vector<PortMapping> ports;
  std::string netns_path;
  // A host folder mounted read-write as /tmp instead of a fresh tmpfs (the
  // structure tests share one between a test's setup and command).
  std::string tmp_source;
  // The root filesystem: the bundle's "rootfs" unless set (an absolute path,
  // e.g. a per-test overlay), and whether the container may write to it.
  std::string root_path;
  bool writable_root = false;
  // Host files bind-mounted read-only as /etc/hosts and /etc/resolv.conf
  // (made per run: runtime/etc_files); none when empty.
  std::string hosts_file;
  std::string resolv_conf;
  // --init: the host's distill-init, mounted read-only at kInitMountPoint
  // and run as process 1 with the process args after it.
  std::string init_program;
  // What the per-run /etc/hosts and /etc/resolv.conf hold besides the
  // defaults (`--add-host`, `--dns`); Container writes the files.
  std::vector<HostEntry> add_hosts;
  std::vector<std::string> dns;
  // -t: the process gets a terminal; runc, run in the foreground, makes it
  // and copies between it and our own terminal (raw mode, window size).
  bool terminal = false;
  // `distill debug`: the pid, network, ipc and uts namespaces of this host
  // process (the target's process 1) are joined instead of made, and the
  // hostname is left as the target has it. 0: own namespaces.
  int join_namespaces_of = 0;
};

// Parses "HOST:CTR[:ro|rw]"; both paths must be absolute, CTR without "..".
core::Result<BindMount> parse_bind_mount(std::string_view spec);

// "net_bind_service", "NET_BIND_SERVICE" or "CAP_NET_BIND_SERVICE" ->
// "CAP_NET_BIND_SERVICE"; unknown names are an error.
core::Result<std::string> normalize_capability(std::string_view name);

// The process argv: entrypoint + cmd with the overrides applied. Empty is an error.
core::Result<std::vector<std::string>> process_args(const oci::ContainerConfig& config,
                                                    const RunOptions& options);

// The image's environment with the overrides applied (by key, order kept),
// plus a default PATH when the image has none.
std::vector<std::string> process_env(const oci::ContainerConfig& config, const RunOptions& options);

// config.json for runc (OCI runtime spec 1.0): the process from the image
// config and the options, read-only root ("rootfs"), tmpfs /tmp (1777),
// noNewPrivileges, no capabilities but cap_add, the usual masked and
// read-only /proc and /sys paths, and new pid, ipc, uts, mount, cgroup and
// (unless host_network) network namespaces; the network namespace at
// `netns_path` is joined when set. Pretty-printed JSON.
core::Result<std::string> runtime_spec_json(const oci::ContainerConfig& config,
                                            const RunOptions& options, const ProcessUser& user);

}  // namespace distill::runtime
