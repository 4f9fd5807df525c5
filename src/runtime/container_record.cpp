#include "runtime/container_record.hpp"

#include <array>

#include "core/json.hpp"
#include "core/strings.hpp"

namespace distill::runtime {
namespace {

constexpr size_t kMaxNameLength = 128;

constexpr std::array<Phase, 4> kPhases = {Phase::kCreating, Phase::kRunning, Phase::kForeground,
                                          Phase::kRemoving};

bool name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string_view phase_name(Phase phase) {
  switch (phase) {
    case Phase::kCreating:
      return "creating";
    case Phase::kRunning:
      return "running";
    case Phase::kForeground:
      return "foreground";
    case Phase::kRemoving:
      return "removing";
  }
  return "creating";
}

std::string record_json(const ContainerRecord& r) {
  nlohmann::json j = {{"name", r.name},
                      {"image", r.image},
                      {"digest", r.digest},
                      {"command", r.command},
                      {"created", r.created},
                      {"pid", r.pid},
                      {"phase", std::string(phase_name(r.phase))}};
  // Image-controlled text may be any bytes: replace rather than throw.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

core::Result<ContainerRecord> parse_record(std::string_view json) {
  DISTILL_ASSIGN(nlohmann::json j, core::parse_json(json, "record"));
  if (!j.is_object()) return core::make_error("record", "is not a JSON object");
  ContainerRecord r;
  DISTILL_ASSIGN(r.name, core::json_string(j, "name"));
  DISTILL_ASSIGN(r.image, core::json_string(j, "image"));
  DISTILL_ASSIGN(r.digest, core::json_string(j, "digest"));
  DISTILL_ASSIGN(r.command, core::json_string_list(j, "command"));
  DISTILL_ASSIGN(r.created, core::json_int(j, "created"));
  DISTILL_ASSIGN(int64_t pid, core::json_int(j, "pid"));
  r.pid = static_cast<int>(pid);
  DISTILL_ASSIGN(std::string phase, core::json_string(j, "phase"));
  bool known = false;
  for (Phase p : kPhases) {
    if (phase_name(p) == phase) {
      r.phase = p;
      known = true;
    }
  }
  if (!known) return core::make_error("record", "unknown phase '" + phase + "'");
  DISTILL_TRY(validate_container_name(r.name));
  return r;
}

std::string exit_record_json(int code, int64_t finished) {
  return nlohmann::json({{"exit_code", code}, {"finished", finished}}).dump(2) + "\n";
}

core::Result<ExitRecord> parse_exit_record(std::string_view json) {
  DISTILL_ASSIGN(nlohmann::json j, core::parse_json(json, "exit.json"));
  if (!j.is_object()) return core::make_error("exit.json", "is not a JSON object");
  ExitRecord r;
  DISTILL_ASSIGN(int64_t code, core::json_int(j, "exit_code"));
  if (code < 0 || code > 255) return core::make_error("exit.json", "exit code out of range");
  r.code = static_cast<int>(code);
  DISTILL_ASSIGN(r.finished, core::json_int(j, "finished"));
  return r;
}

core::Status validate_container_name(std::string_view name) {
  const std::string hint = "use letters, digits, '_', '.' and '-', starting with a letter or digit";
  if (name.empty()) return core::make_error("--name", "is empty", hint);
  if (name.size() > kMaxNameLength)
    return core::make_error("--name", "is longer than 128 characters", hint);
  if (!name_start(name.front()))
    return core::make_error("--name " + core::escape_control(name),
                            "must start with a letter or digit", hint);
  for (char c : name) {
    if (!name_start(c) && c != '_' && c != '.' && c != '-')
      return core::make_error("--name " + core::escape_control(name),
                              "holds a character that is not allowed", hint);
  }
  return core::Status::Ok();
}

std::string generated_container_name(std::string_view random_bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string name = "distill-";
  for (size_t i = 0; i < 6 && i < random_bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(random_bytes[i]);
    name += kHex[b >> 4];
    name += kHex[b & 15];
  }
  return name;
}

Verdict judge_container(const std::optional<ContainerRecord>& record, bool locked,
                        RuncStatus runc) {
  if (locked) {
    if (!record) return {false, "creating"};
    if (record->phase == Phase::kForeground) return {false, "running"};
    return {false, std::string(phase_name(record->phase))};
  }
  if (!record || record->phase != Phase::kRunning) return {true, {}};
  switch (runc) {
    case RuncStatus::kRunning:
    case RuncStatus::kPaused:
      return {false, "running"};
    case RuncStatus::kStopped:
      return {false, "exited"};
    case RuncStatus::kCreated:  // never started: distill died between create and start
    case RuncStatus::kAbsent:   // runc's state is gone (a reboot cleared it)
      return {true, {}};
  }
  return {true, {}};
}

}  // namespace distill::runtime
