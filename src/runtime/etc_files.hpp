#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::runtime {

// `--add-host NAME:IP`.
struct HostEntry {
  std::string name;
  std::string address;
};

// "db:10.0.0.5", "db:::1": the name up to the first ':', then an IPv4 or
// IPv6 address.
core::Result<HostEntry> parse_add_host(std::string_view text);
// `--dns IP`: an IPv4 or IPv6 address.
core::Result<std::string> parse_dns_server(std::string_view text);

// The container's /etc/hosts, as docker and podman write one: localhost on
// both loopbacks, the container's hostname, then the --add-host entries.
std::string hosts_file(std::string_view hostname, const std::vector<HostEntry>& extra);

// The container's /etc/resolv.conf: `dns` servers when given, else the
// host's `nameserver`, `search` and `options` lines. In the container's own
// network namespace a loopback server of the host (systemd-resolved's
// 127.0.0.53) would be the container's own loopback, so it is left out.
std::string resolv_conf(std::string_view host_resolv, const std::vector<std::string>& dns,
                        bool host_network);

// The host's /etc/resolv.conf (at most 64 KiB; "" when there is none): what
// docker and podman start from too.
std::string read_host_resolv_conf();

}  // namespace distill::runtime
