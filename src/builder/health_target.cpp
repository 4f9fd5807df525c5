#include "builder/health_target.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace distill::builder {
namespace {

const char* const kLoopbackHint =
    "the checker runs inside the container: use 127.0.0.1, [::1] or localhost";

core::Error bad_target(std::string_view what_kind, std::string_view text, std::string what,
                       std::string hint) {
  return core::make_error(std::string(what_kind) + " '" + std::string(text) + "'", std::move(what),
                          std::move(hint));
}

core::Status check_host(std::string_view kind, std::string_view text, const std::string& host) {
  // inet_pton reads a C string: a NUL would end it early and let the rest through.
  if (host.find('\0') != std::string::npos)
    return bad_target(kind, text, "holds a NUL byte", kLoopbackHint);
  if (host == "localhost" || host == "::1") return core::Status::Ok();
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    // inet_pton takes only the dotted quad: "127.1" and "0x7f.0.0.1" are refused.
    if ((ntohl(v4.s_addr) >> 24) == 127) return core::Status::Ok();
  }
  return bad_target(kind, text, "does not name the container's loopback", kLoopbackHint);
}

core::Result<uint16_t> parse_port(std::string_view kind, std::string_view text,
                                  std::string_view digits) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || digits.size() > 5 || ec != std::errc() ||
      end != digits.data() + digits.size() || v == 0 || v > 65535)
    return bad_target(kind, text, "has no port in 1-65535", "e.g. 127.0.0.1:8080");
  return static_cast<uint16_t>(v);
}

// HOST[:PORT] with HOST possibly "[::1]"; `port` stays when none is given.
core::Status split_host_port(std::string_view kind, std::string_view text, std::string_view in,
                             HealthTarget& t, bool port_required) {
  std::string_view port;
  bool has_port = false;
  if (!in.empty() && in.front() == '[') {
    auto close = in.find(']');
    if (close == std::string_view::npos)
      return bad_target(kind, text, "has an unclosed '['", "write an IPv6 address as [::1]");
    t.host = std::string(in.substr(1, close - 1));
    std::string_view rest = in.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad_target(kind, text, "has text after ']'", kLoopbackHint);
      port = rest.substr(1);
      has_port = true;
    }
  } else {
    auto colon = in.rfind(':');
    if (colon != std::string_view::npos) {
      t.host = std::string(in.substr(0, colon));
      port = in.substr(colon + 1);
      has_port = true;
    } else {
      t.host = std::string(in);
    }
  }
  if (t.host.empty()) return bad_target(kind, text, "names no host", kLoopbackHint);
  DISTILL_TRY(check_host(kind, text, t.host));
  if (has_port) {
    DISTILL_ASSIGN(t.port, parse_port(kind, text, port));
  } else if (port_required) {
    return bad_target(kind, text, "names no port", "e.g. 127.0.0.1:5432");
  }
  return core::Status::Ok();
}

}  // namespace

std::string HealthTarget::address() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string HealthTarget::url() const {
  return "http://" + address() + path;
}

core::Result<HealthTarget> parse_health_url(std::string_view url) {
  constexpr std::string_view kKind = "healthcheck.http";
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme)
    return bad_target(kKind, url, "is not an http:// URL",
                      url.substr(0, 8) == "https://"
                          ? "the checker speaks plain HTTP on the loopback; use http://"
                          : "e.g. http://127.0.0.1:8080/health");
  std::string_view rest = url.substr(kScheme.size());
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HealthTarget t;
  t.port = 80;
  if (authority.find('@') != std::string_view::npos)
    return bad_target(kKind, url, "holds a user name", "the checker sends no credentials");
  DISTILL_TRY(split_host_port(kKind, url, authority, t, false));
  t.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  for (char c : t.path) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '#')
      return bad_target(kKind, url, "has a space, a control character, '#' or a non-ASCII byte",
                        "percent-encode the path");
  }
  return t;
}

core::Result<HealthTarget> parse_health_tcp(std::string_view address) {
  constexpr std::string_view kKind = "healthcheck.tcp";
  HealthTarget t;
  bool digits_only =
      !address.empty() && address.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits_only) {
    t.host = "127.0.0.1";
    DISTILL_ASSIGN(t.port, parse_port(kKind, address, address));
    return t;
  }
  DISTILL_TRY(split_host_port(kKind, address, address, t, true));
  return t;
}

}  // namespace distill::builder
