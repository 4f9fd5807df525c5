#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/digest.hpp"
#include "oci/platform.hpp"

namespace distill::oci {

// Docker's `Healthcheck` of the image config (the OCI spec leaves it out;
// docker and podman read it): `test` is ["CMD", argv...], ["CMD-SHELL",
// command] or ["NONE"]; durations in nanoseconds, 0 meaning the runtime's
// default (30 s interval and timeout, no start period, 3 retries).
struct Healthcheck {
  std::vector<std::string> test;
  int64_t interval = 0;
  int64_t timeout = 0;
  int64_t start_period = 0;
  int64_t retries = 0;
  bool operator==(const Healthcheck&) const = default;
};

// The runtime defaults of an image ("config" in the OCI image config).
struct ContainerConfig {
  std::string user;              // "65532", "65532:65532" or a name
  std::vector<std::string> env;  // "KEY=value", order kept, keys unique
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::set<std::string> exposed_ports;  // "8080/tcp", "53/udp"
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  std::optional<Healthcheck> healthcheck;
};

struct HistoryEntry {
  std::string created_by;
  std::string comment;
  bool empty_layer = false;
};

// The PATH a container gets when its image sets none: what docker and the
// distroless images use.
inline constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct ImageConfig {
  Platform platform;
  ContainerConfig config;
  std::vector<Digest> diff_ids;  // one per layer, bottom first
  // Optional; when given, its non-empty-layer entries must match diff_ids one to one.
  std::vector<HistoryEntry> history;
  // Seconds since the epoch: SOURCE_DATE_EPOCH. Also each history entry's time.
  int64_t created = 0;
};

// Deterministic JSON: keys sorted, compact, no trailing newline, empty fields
// left out. Refuses what runtimes would choke on (bad ports, env entries
// without '=', duplicate env keys, history that does not match the layers).
core::Result<std::string> image_config_json(const ImageConfig& config);

core::Result<ImageConfig> parse_image_config(std::string_view json, std::string_view where);

// A Healthcheck alone, as the image config holds it (docker's field names):
// how `run -d` hands it to the container's monitor.
std::string healthcheck_to_json(const Healthcheck& healthcheck);
core::Result<Healthcheck> healthcheck_from_json(std::string_view json);

// "8080" -> "8080/tcp"; "53/udp" stays. Refuses ports outside 1..65535 and
// protocols other than tcp, udp and sctp.
core::Result<std::string> normalize_port(std::string_view port);

}  // namespace distill::oci
