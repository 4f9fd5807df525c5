// libFuzzer target: the spec's healthcheck values (docs/spec.md). A URL or
// address that parses names the loopback and parses back to itself; a
// duration that parses formats to a text that parses to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "builder/health_target.hpp"
#include "core/duration.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto u = distill::builder::parse_health_url(in); u.ok()) {
    check(u->port != 0 && !u->path.empty() && u->path.front() == '/');
    auto again = distill::builder::parse_health_url(u->url());
    check(again.ok() && again->url() == u->url());
  }
  if (auto t = distill::builder::parse_health_tcp(in); t.ok()) {
    check(t->port != 0);
    auto again = distill::builder::parse_health_tcp(t->address());
    check(again.ok() && again->address() == t->address());
  }
  if (auto d = distill::core::parse_duration(in); d.ok()) {
    check(*d >= 0);
    auto again = distill::core::parse_duration(distill::core::format_duration(*d));
    check(again.ok() && *again == *d);
  }
  return 0;
}
