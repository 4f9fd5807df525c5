// libFuzzer target: `distill run -p` arguments. A mapping that parses has
// ports in 1..65535, and its pasta spec parses back to the same mapping.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "runtime/port_mapping.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto m = distill::runtime::parse_publish(in);
  if (!m.ok()) return 0;
  check(m->host_port != 0 && m->container_port != 0);
  check(!m->host_ip.empty());
  // The round trip through the text docker users write.
  std::string ip = m->host_ip.find(':') != std::string::npos ? "[" + m->host_ip + "]" : m->host_ip;
  std::string again = ip + ":" + std::to_string(m->host_port) + ":" +
                      std::to_string(m->container_port) + (m->udp ? "/udp" : "");
  auto back = distill::runtime::parse_publish(again);
  check(back.ok() && *back == *m);
  (void)distill::runtime::pasta_port_spec(*m);
  return 0;
}
