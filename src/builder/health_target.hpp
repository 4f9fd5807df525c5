#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::builder {

// Where the image's healthcheck checker (tools/health/health.c) connects:
// the container's own loopback, never another host (docs/spec.md,
// `healthcheck`). `host` is a numeric 127.0.0.0/8 address, "::1" or
// "localhost".
struct HealthTarget {
  std::string host;
  uint16_t port = 0;
  std::string path;  // http only: "/" when the URL names none

  // "http://127.0.0.1:8080/health", "127.0.0.1:5432", "[::1]:5432".
  std::string url() const;
  std::string address() const;
};

// `http://HOST[:PORT][/PATH]`: plain HTTP (the checker speaks no TLS), the
// path printable ASCII without spaces.
core::Result<HealthTarget> parse_health_url(std::string_view url);

// `HOST:PORT`, `[::1]:PORT` or a bare `PORT` (127.0.0.1).
core::Result<HealthTarget> parse_health_tcp(std::string_view address);

}  // namespace distill::builder
