#include "runtime/etc_files.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "core/fd_io.hpp"
#include "core/lines.hpp"
#include "core/strings.hpp"
#include "core/unique_fd.hpp"

namespace distill::runtime {
namespace {

constexpr size_t kMaxResolvConf = 64 * 1024;

bool is_ip(std::string_view text, bool* v6 = nullptr) {
  std::string s(text);
  unsigned char buf[16];
  if (::inet_pton(AF_INET, s.c_str(), buf) == 1) {
    if (v6) *v6 = false;
    return true;
  }
  if (::inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    if (v6) *v6 = true;
    return true;
  }
  return false;
}

bool is_loopback(std::string_view address) {
  return address.starts_with("127.") || address == "::1";
}

// RFC 1123 host names: letters, digits, '-' and '.', no leading '-' or '.'.
bool valid_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '-' || name.front() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

core::Result<HostEntry> parse_add_host(std::string_view text) {
  const std::string where = "--add-host " + core::escape_control(text);
  size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    return core::make_error(where, "expected NAME:IP", "e.g. --add-host db:10.0.0.5");
  HostEntry e{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
  if (!valid_host_name(e.name))
    return core::make_error(where, "'" + core::escape_control(e.name) + "' is not a host name");
  if (!is_ip(e.address))
    return core::make_error(where,
                            "'" + core::escape_control(e.address) + "' is not an IP address");
  return e;
}

core::Result<std::string> parse_dns_server(std::string_view text) {
  if (!is_ip(text))
    return core::make_error("--dns " + core::escape_control(text), "not an IP address",
                            "e.g. --dns 192.0.2.53");
  return std::string(text);
}

std::string hosts_file(std::string_view hostname, const std::vector<HostEntry>& extra) {
  std::string out = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  out += fmt::format("127.0.1.1\t{}\n", hostname);
  for (const HostEntry& e : extra) out += fmt::format("{}\t{}\n", e.address, e.name);
  return out;
}

std::string resolv_conf(std::string_view host_resolv, const std::vector<std::string>& dns,
                        bool host_network) {
  std::string out;
  for (const std::string& server : dns) out += "nameserver " + server + "\n";
  for (std::string_view line : core::lines(host_resolv)) {
    std::vector<std::string> words = core::split_words(line);
    if (words.size() < 2) continue;
    if (words[0] == "nameserver") {
      if (!dns.empty() || !is_ip(words[1])) continue;
      if (!host_network && is_loopback(words[1])) continue;
      out += "nameserver " + words[1] + "\n";
    } else if (words[0] == "search" || words[0] == "domain" || words[0] == "options") {
      out += core::join(words, " ") + "\n";
    }
  }
  return out;
}

std::string read_host_resolv_conf() {
  core::UniqueFd fd(::open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC));
  if (!fd) return {};
  std::string out;
  char buf[4096];
  while (out.size() < kMaxResolvConf) {
    ssize_t n = core::read_some(fd.get(), buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  if (out.size() > kMaxResolvConf) out.resize(kMaxResolvConf);
  return out;
}

}  // namespace distill::runtime
