#include "oci/image_config.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "oci/json_util.hpp"

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
  return j;
}

core::Result<ContainerConfig> parse_container_config(const json& j) {
  ContainerConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) return config_error("'config' is not an object");
  DISTILL_ASSIGN(c.user, json_string(j, "User"));
  DISTILL_ASSIGN(c.env, json_string_list(j, "Env"));
  DISTILL_ASSIGN(c.entrypoint, json_string_list(j, "Entrypoint"));
  DISTILL_ASSIGN(c.cmd, json_string_list(j, "Cmd"));
  DISTILL_ASSIGN(c.working_dir, json_string(j, "WorkingDir"));
  DISTILL_ASSIGN(c.labels, json_string_map(j, "Labels"));
  DISTILL_ASSIGN(c.stop_signal, json_string(j, "StopSignal"));
  if (auto it = j.find("ExposedPorts"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return config_error("'ExposedPorts' is not an object");
    for (const auto& [port, ignored] : it->items()) c.exposed_ports.insert(port);
  }
  return c;
}

}  // namespace

std::string format_rfc3339(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

core::Result<int64_t> parse_rfc3339(std::string_view text) {
  auto bad = [&] {
    return core::make_error("timestamp '" + std::string(text) + "'", "is not an RFC 3339 time",
                            "expected e.g. 1970-01-01T00:00:00Z");
  };
  auto digits = [&](size_t pos, size_t n, int& out) {
    if (pos + n > text.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  std::tm tm{};
  int year, mon, day, hour, min, sec;
  if (!digits(0, 4, year) || !digits(5, 2, mon) || !digits(8, 2, day) || !digits(11, 2, hour) ||
      !digits(14, 2, min) || !digits(17, 2, sec) || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' || text[16] != ':')
    return bad();
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return bad();
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return bad();
  }
  int64_t offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(pos + 4, 2, om))
      return bad();
    offset = (text[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  return static_cast<int64_t>(::timegm(&tm)) - offset;
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
  std::string created = format_rfc3339(c.created);
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
  return dump_json(j, "image config");
}

core::Result<ImageConfig> parse_image_config(std::string_view text, std::string_view where) {
  auto parsed = [&]() -> core::Result<ImageConfig> {
    DISTILL_ASSIGN(json j, parse_json(text));
    if (!j.is_object()) return config_error("is not a JSON object");
    ImageConfig c;
    DISTILL_ASSIGN(c.platform.architecture, json_string(j, "architecture"));
    DISTILL_ASSIGN(c.platform.os, json_string(j, "os"));
    DISTILL_ASSIGN(c.platform.variant, json_string(j, "variant"));
    DISTILL_ASSIGN(std::string created, json_string(j, "created"));
    if (!created.empty()) {
      DISTILL_ASSIGN(c.created, parse_rfc3339(created));
    }
    if (auto it = j.find("config"); it != j.end()) {
      DISTILL_ASSIGN(c.config, parse_container_config(*it));
    }
    if (auto it = j.find("rootfs"); it != j.end() && !it->is_null()) {
      if (!it->is_object()) return config_error("'rootfs' is not an object");
      DISTILL_ASSIGN(std::vector<std::string> ids, json_string_list(*it, "diff_ids"));
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
        DISTILL_ASSIGN(e.created_by, json_string(h, "created_by"));
        DISTILL_ASSIGN(e.comment, json_string(h, "comment"));
        DISTILL_ASSIGN(e.empty_layer, json_bool(h, "empty_layer"));
        c.history.push_back(std::move(e));
      }
    }
    return c;
  }();
  if (!parsed.ok()) return parsed.error().with_where(std::string(where));
  return parsed;
}

}  // namespace distill::oci
