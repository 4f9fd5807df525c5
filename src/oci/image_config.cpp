#include "oci/image_config.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/json.hpp"
#include "core/time.hpp"

namespace distill::oci {
namespace {

using nlohmann::json;

core::Error config_error(std::string what, std::string hint = {}) {
  return core::make_error("image config", std::move(what), std::move(hint));
}

core::Status validate_env(const std::vector<std::string>& env) {
  std::set<std::string_view> keys;
  for (const auto& entry : env) {
    auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0)
      return config_error("environment entry '" + entry + "' is not KEY=value");
    if (!keys.insert(std::string_view(entry).substr(0, eq)).second)
      return config_error("environment variable '" + entry.substr(0, eq) + "' is set twice");
  }
  return core::Status::Ok();
}

core::Status validate_history(const ImageConfig& c) {
  if (c.history.empty()) return core::Status::Ok();
  size_t layers = 0;
  for (const auto& h : c.history) layers += h.empty_layer ? 0 : 1;
  if (layers != c.diff_ids.size())
    return config_error("history names " + std::to_string(layers) + " layers but rootfs has " +
                            std::to_string(c.diff_ids.size()),
                        "give one history entry without empty_layer per layer");
  return core::Status::Ok();
}

json healthcheck_json(const Healthcheck& h) {
  // Docker's field names; zero durations left out as docker leaves them out.
  json j = {{"Test", h.test}};
  if (h.interval) j["Interval"] = h.interval;
  if (h.timeout) j["Timeout"] = h.timeout;
  if (h.start_period) j["StartPeriod"] = h.start_period;
  if (h.retries) j["Retries"] = h.retries;
  return j;
}

core::Result<Healthcheck> parse_healthcheck(const json& j) {
  if (!j.is_object()) return config_error("'Healthcheck' is not an object");
  Healthcheck h;
  DISTILL_ASSIGN(h.test, core::json_string_list(j, "Test"));
  DISTILL_ASSIGN(h.interval, core::json_int(j, "Interval"));
  DISTILL_ASSIGN(h.timeout, core::json_int(j, "Timeout"));
  DISTILL_ASSIGN(h.start_period, core::json_int(j, "StartPeriod"));
  DISTILL_ASSIGN(h.retries, core::json_int(j, "Retries"));
  if (h.interval < 0 || h.timeout < 0 || h.start_period < 0 || h.retries < 0)
    return config_error("'Healthcheck' has a negative duration or retry count");
  return h;
}

json container_config_json(const ContainerConfig& c) {
  json j = json::object();
  if (!c.user.empty()) j["User"] = c.user;
  if (!c.env.empty()) j["Env"] = c.env;
  if (!c.entrypoint.empty()) j["Entrypoint"] = c.entrypoint;
  if (!c.cmd.empty()) j["Cmd"] = c.cmd;
  if (!c.working_dir.empty()) j["WorkingDir"] = c.working_dir;
  if (!c.exposed_ports.empty()) {
    json ports = json::object();
    for (const auto& p : c.exposed_ports) ports[p] = json::object();
    j["ExposedPorts"] = std::move(ports);
  }
  if (!c.labels.empty()) j["Labels"] = c.labels;
  if (!c.stop_signal.empty()) j["StopSignal"] = c.stop_signal;
  if (c.healthcheck) j["Healthcheck"] = healthcheck_json(*c.healthcheck);
  return j;
}

core::Result<ContainerConfig> parse_container_config(const json& j) {
  ContainerConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) return config_error("'config' is not an object");
  DISTILL_ASSIGN(c.user, core::json_string(j, "User"));
  DISTILL_ASSIGN(c.env, core::json_string_list(j, "Env"));
  DISTILL_ASSIGN(c.entrypoint, core::json_string_list(j, "Entrypoint"));
  DISTILL_ASSIGN(c.cmd, core::json_string_list(j, "Cmd"));
  DISTILL_ASSIGN(c.working_dir, core::json_string(j, "WorkingDir"));
  DISTILL_ASSIGN(c.labels, core::json_string_map(j, "Labels"));
  DISTILL_ASSIGN(c.stop_signal, core::json_string(j, "StopSignal"));
  if (auto it = j.find("ExposedPorts"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return config_error("'ExposedPorts' is not an object");
    for (const auto& [port, ignored] : it->items()) c.exposed_ports.insert(port);
  }
  if (auto it = j.find("Healthcheck"); it != j.end() && !it->is_null()) {
    DISTILL_ASSIGN(c.healthcheck, parse_healthcheck(*it));
  }
  return c;
}

}  // namespace

std::string healthcheck_to_json(const Healthcheck& healthcheck) {
  return healthcheck_json(healthcheck).dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<Healthcheck> healthcheck_from_json(std::string_view text) {
  DISTILL_ASSIGN(json j, core::parse_json(text, "healthcheck"));
  return parse_healthcheck(j);
}

core::Result<std::string> normalize_port(std::string_view port) {
  auto bad = [&](std::string what) {
    return core::make_error("port '" + std::string(port) + "'", std::move(what),
                            "expected e.g. 8080, 8080/tcp or 53/udp");
  };
  auto slash = port.find('/');
  std::string_view number = port.substr(0, slash);
  std::string proto = slash == std::string_view::npos ? "tcp" : std::string(port.substr(slash + 1));
  if (number.empty() || number.size() > 5) return bad("is not a port number");
  int value = 0;
  for (char ch : number) {
    if (ch < '0' || ch > '9') return bad("is not a port number");
    value = value * 10 + (ch - '0');
  }
  if (value < 1 || value > 65535) return bad("is outside 1..65535");
  if (proto != "tcp" && proto != "udp" && proto != "sctp") return bad("has an unknown protocol");
  return std::to_string(value) + "/" + proto;
}

core::Result<std::string> image_config_json(const ImageConfig& c) {
  if (c.platform.architecture.empty() || c.platform.os.empty())
    return config_error("no platform", "set the architecture and os");
  if (c.created < 0) return config_error("creation time is before 1970");
  DISTILL_TRY(validate_env(c.config.env));
  for (const auto& port : c.config.exposed_ports) {
    DISTILL_ASSIGN(std::string normal, normalize_port(port));
    if (normal != port)
      return config_error("exposed port '" + port + "' is not normalised",
                          "write it as '" + normal + "'");
  }
  DISTILL_TRY(validate_history(c));
  std::string created = core::format_rfc3339(c.created);
  json j = json::object();
  j["architecture"] = c.platform.architecture;
  j["os"] = c.platform.os;
  if (!c.platform.variant.empty()) j["variant"] = c.platform.variant;
  j["created"] = created;
  j["config"] = container_config_json(c.config);
  json diff_ids = json::array();
  for (const auto& d : c.diff_ids) diff_ids.push_back(d.str());
  j["rootfs"] = {{"type", "layers"}, {"diff_ids", std::move(diff_ids)}};
  if (!c.history.empty()) {
    json history = json::array();
    for (const auto& h : c.history) {
      json entry = {{"created", created}};
      if (!h.created_by.empty()) entry["created_by"] = h.created_by;
      if (!h.comment.empty()) entry["comment"] = h.comment;
      if (h.empty_layer) entry["empty_layer"] = true;
      history.push_back(std::move(entry));
    }
    j["history"] = std::move(history);
  }
  return core::dump_json(j, "image config");
}

core::Result<ImageConfig> parse_image_config(std::string_view text, std::string_view where) {
  auto parsed = [&]() -> core::Result<ImageConfig> {
    DISTILL_ASSIGN(json j, core::parse_json(text));
    if (!j.is_object()) return config_error("is not a JSON object");
    ImageConfig c;
    DISTILL_ASSIGN(c.platform.architecture, core::json_string(j, "architecture"));
    DISTILL_ASSIGN(c.platform.os, core::json_string(j, "os"));
    DISTILL_ASSIGN(c.platform.variant, core::json_string(j, "variant"));
    DISTILL_ASSIGN(std::string created, core::json_string(j, "created"));
    if (!created.empty()) {
      DISTILL_ASSIGN(c.created, core::parse_rfc3339(created));
    }
    if (auto it = j.find("config"); it != j.end()) {
      DISTILL_ASSIGN(c.config, parse_container_config(*it));
    }
    if (auto it = j.find("rootfs"); it != j.end() && !it->is_null()) {
      if (!it->is_object()) return config_error("'rootfs' is not an object");
      DISTILL_ASSIGN(std::vector<std::string> ids, core::json_string_list(*it, "diff_ids"));
      for (const auto& id : ids) {
        DISTILL_ASSIGN(Digest d, Digest::parse(id));
        c.diff_ids.push_back(std::move(d));
      }
    }
    if (auto it = j.find("history"); it != j.end() && !it->is_null()) {
      if (!it->is_array()) return config_error("'history' is not an array");
      for (const auto& h : *it) {
        if (!h.is_object()) return config_error("a history entry is not an object");
        HistoryEntry e;
        DISTILL_ASSIGN(e.created_by, core::json_string(h, "created_by"));
        DISTILL_ASSIGN(e.comment, core::json_string(h, "comment"));
        DISTILL_ASSIGN(e.empty_layer, core::json_bool(h, "empty_layer"));
        c.history.push_back(std::move(e));
      }
    }
    return c;
  }();
  if (!parsed.ok()) return parsed.error().with_where(std::string(where));
  return parsed;
}

}  // namespace distill::oci
