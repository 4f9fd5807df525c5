#include "runtime/port_mapping.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "core/strings.hpp"

namespace distill::runtime {
namespace {

constexpr const char* kPublishSyntax = "expected [IP:]HOST:CONTAINER[/tcp|udp]";

bool publish_address_ok(const std::string& address, bool v6) {
  // inet_pton reads up to a NUL; the address must be all of the text.
  if (address.find('\0') != std::string::npos) return false;
  unsigned char buf[16];
  return ::inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), buf) == 1;
}

// 1 to 65535, digits only.
bool parse_port(std::string_view text, uint16_t& port) {
  if (text.empty() || text.size() > 5) return false;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (value == 0 || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

core::Result<PortMapping> parse_publish(std::string_view text) {
  const std::string where = "-p " + core::escape_control(text);
  auto syntax = [&](std::string hint) {
    return core::make_error(where, kPublishSyntax, std::move(hint));
  };
  PortMapping m;
  std::string_view rest = text;
  if (size_t slash = rest.rfind('/'); slash != std::string_view::npos) {
    std::string_view proto = rest.substr(slash + 1);
    if (proto != "tcp" && proto != "udp")
      return syntax("the protocol is tcp or udp, e.g. -p 5353:53/udp");
    m.udp = proto == "udp";
    rest = rest.substr(0, slash);
  }
  bool v6 = false;
  std::string_view ip;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find("]:");
    if (close == std::string_view::npos) return syntax("an IPv6 address goes in brackets: [::1]");
    ip = rest.substr(1, close - 1);
    rest = rest.substr(close + 2);
    v6 = true;
  } else if (std::count(rest.begin(), rest.end(), ':') == 2) {
    size_t colon = rest.find(':');
    ip = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  } else if (std::count(rest.begin(), rest.end(), ':') > 2) {
    return syntax("an IPv6 address goes in brackets: [::1]:8080:80");
  }
  if (v6 || !ip.empty()) {
    m.host_ip = std::string(ip);
    if (!publish_address_ok(m.host_ip, v6))
      return syntax("'" + core::escape_control(ip) + "' is not an " + (v6 ? "IPv6" : "IPv4") +
                    " address");
  } else if (rest.find(':') == std::string_view::npos) {
    return syntax("give the host port too, e.g. -p 8080:" + core::escape_control(rest) +
                  " (published on 127.0.0.1 unless an address is given)");
  }
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return syntax("e.g. -p 127.0.0.1:8080:80");
  std::string_view host = rest.substr(0, colon);
  std::string_view container = rest.substr(colon + 1);
  if (host.empty()) return syntax("give the host port: a random one is not chosen");
  if (host.find('-') != std::string_view::npos || container.find('-') != std::string_view::npos)
    return syntax("port ranges are not supported: give one -p per port");
  if (!parse_port(host, m.host_port) || !parse_port(container, m.container_port))
    return syntax("ports are numbers from 1 to 65535");
  return m;
}

std::string pasta_port_spec(const PortMapping& m) {
  return m.host_ip + "/" + std::to_string(m.host_port) + ":" + std::to_string(m.container_port);
}

std::vector<std::string> pasta_argv(const std::string& pasta, const std::string& netns,
                                    const std::vector<PortMapping>& ports,
                                    const std::string& pid_file, const std::string& log_file) {
  // Debian 12's pasta, dropping to "nobody", can no longer join a namespace
  // that root owns: it stays root, though with only CAP_NET_BIND_SERVICE and
  // CAP_SYS_ADMIN left, no_new_privs, a seccomp filter and an empty mount
  // namespace of its own.
  std::vector<std::string> argv = {pasta,  "--foreground", "--quiet",     "--runas",
                                   "0:0",  "--config-net", "--no-map-gw", "--tcp-ns",
                                   "none", "--udp-ns",     "none"};
  bool tcp = false, udp = false;
  for (const PortMapping& m : ports) {
    argv.push_back(m.udp ? "--udp-ports" : "--tcp-ports");
    argv.push_back(pasta_port_spec(m));
    (m.udp ? udp : tcp) = true;
  }
  // pasta's default, "auto", would forward every port bound in the namespace.
  if (!tcp) argv.insert(argv.end(), {"--tcp-ports", "none"});
  if (!udp) argv.insert(argv.end(), {"--udp-ports", "none"});
  argv.insert(argv.end(), {"--pid", pid_file, "--log-file", log_file, "--netns", netns});
  return argv;
}

}  // namespace distill::runtime
