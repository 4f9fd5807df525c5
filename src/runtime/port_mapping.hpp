#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::runtime {

// `-p [IP:]HOST:CONTAINER[/tcp|udp]`: a host port forwarded into the
// container's own network namespace.
struct PortMapping {
  std::string host_ip = "127.0.0.1";  // loopback unless an address is given
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  bool udp = false;

  friend bool operator==(const PortMapping&, const PortMapping&) = default;
};

// Parses "8080:80", "127.0.0.1:8080:80", "0.0.0.0:53:53/udp" and
// "[::1]:8080:80" (an IPv6 address in brackets). Ports are 1 to 65535; an
// omitted host port or a range is an error (docker's random ports and
// ranges are not supported).
core::Result<PortMapping> parse_publish(std::string_view text);

// The `-t`/`-u` argument pasta takes for one mapping: "127.0.0.1/8080:80".
std::string pasta_port_spec(const PortMapping& mapping);

// pasta's command line for a network namespace at `netns` (a path) with
// `ports` forwarded from the host: tap interface configured with the host's
// addresses and routes, no port forwarded but `ports`, nothing forwarded
// from the namespace to the host's own ports, the gateway address not
// mapped to the host's loopback, foreground, its pid written to `pid_file`
// once it is ready and its messages to `log_file`.
std::vector<std::string> pasta_argv(const std::string& pasta, const std::string& netns,
                                    const std::vector<PortMapping>& ports,
                                    const std::string& pid_file, const std::string& log_file);

}  // namespace distill::runtime
