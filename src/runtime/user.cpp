#include "runtime/user.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>

#include "core/strings.hpp"

namespace distill::runtime {
namespace {

std::optional<uint32_t> parse_id(std::string_view s) {
  uint32_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// The fields of the first line of an /etc/passwd or /etc/group style file
// whose field `key` (0: name, 2: id) equals `value`.
std::optional<std::vector<std::string_view>> find_line(std::string_view file, size_t key,
                                                       std::string_view value) {
  for (std::string_view line : core::split(file, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    auto fields = core::split(line, ':');
    if (fields.size() > std::max<size_t>(key, 3) && fields[key] == value) return fields;
  }
  return std::nullopt;
}

core::Result<uint32_t> group_id(std::string_view name, std::string_view group) {
  if (auto id = parse_id(name)) return *id;
  auto fields = find_line(group, 0, name);
  std::optional<uint32_t> id = fields ? parse_id((*fields)[2]) : std::nullopt;
  if (!id) return core::make_error("user", "no group '" + std::string(name) + "' in /etc/group");
  return *id;
}

}  // namespace

core::Result<ProcessUser> resolve_user(std::string_view spec, std::string_view passwd,
                                       std::string_view group) {
  ProcessUser u;
  if (spec.empty()) return u;
  size_t colon = spec.find(':');
  std::string_view user = spec.substr(0, colon);
  std::string name;
  if (auto id = parse_id(user)) {
    u.uid = *id;
    auto fields = find_line(passwd, 2, user);
    if (fields) {
      name = std::string((*fields)[0]);
      u.gid = parse_id((*fields)[3]).value_or(0);
    }
  } else {
    auto fields = find_line(passwd, 0, user);
    std::optional<uint32_t> uid = fields ? parse_id((*fields)[2]) : std::nullopt;
    if (!uid) {
      return core::make_error("user", "no user '" + std::string(user) + "' in /etc/passwd",
                              "give a numeric uid[:gid] or add the user to the image");
    }
    u.uid = *uid;
    u.gid = parse_id((*fields)[3]).value_or(0);
    name = std::string(user);
  }
  if (colon != std::string_view::npos) {
    DISTILL_ASSIGN(u.gid, group_id(spec.substr(colon + 1), group));
  }
  if (!name.empty()) {
    for (std::string_view line : core::split(group, '\n')) {
      auto fields = core::split(line, ':');
      if (fields.size() < 4) continue;
      auto members = core::split(fields[3], ',');
      auto gid = parse_id(fields[2]);
      if (gid && *gid != u.gid && std::find(members.begin(), members.end(), name) != members.end())
        u.additional_gids.push_back(*gid);
    }
    std::sort(u.additional_gids.begin(), u.additional_gids.end());
  }
  return u;
}

}  // namespace distill::runtime
