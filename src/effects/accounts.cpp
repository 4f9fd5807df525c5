#include "effects/accounts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/lines.hpp"
#include "core/strings.hpp"

namespace distill::effects {
namespace {

constexpr uint32_t kFirstSystemId = 100;
constexpr uint32_t kLastSystemId = 999;
constexpr uint64_t kMaxAccountFile = 1 << 20;

std::optional<uint32_t> parse_id(std::string_view s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

core::Result<std::string> account_file(const Tree& tree, const std::string& path) {
  const oci::FsEntry* e = tree.find(path);
  if (!e) return std::string();
  return read_entry(*e, kMaxAccountFile);
}

bool safe_field(std::string_view s) {
  return s.find_first_of(":\n") == std::string_view::npos;
}

}  // namespace

bool is_valid_account_name(std::string_view name) {
  if (name.empty() || name.size() > 32 || name[0] == '-' || name[0] == '+' || name[0] == '~')
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

core::Result<AccountTable> AccountTable::read(const Tree& tree) {
  AccountTable t;
  DISTILL_ASSIGN(std::string passwd, account_file(tree, "etc/passwd"));
  for (std::string_view line : core::lines(passwd)) {
    auto f = core::split(line, ':');
    if (f.size() != 7) continue;
    auto uid = parse_id(f[2]), gid = parse_id(f[3]);
    if (!uid || !gid) return core::make_error("/etc/passwd", "a line has no numeric ids");
    t.users_.push_back(
        {std::string(f[0]), *uid, *gid, std::string(f[4]), std::string(f[5]), std::string(f[6])});
  }
  DISTILL_ASSIGN(std::string group, account_file(tree, "etc/group"));
  for (std::string_view line : core::lines(group)) {
    auto f = core::split(line, ':');
    if (f.size() != 4) continue;
    auto gid = parse_id(f[2]);
    if (!gid) return core::make_error("/etc/group", "a line has no numeric id");
    Group g{std::string(f[0]), *gid, {}};
    if (!f[3].empty())
      for (auto m : core::split(f[3], ',')) g.members.emplace_back(m);
    t.groups_.push_back(std::move(g));
  }
  return t;
}

const Account* AccountTable::user(std::string_view name) const {
  for (const auto& u : users_)
    if (u.name == name) return &u;
  return nullptr;
}

const Group* AccountTable::group(std::string_view name) const {
  for (const auto& g : groups_)
    if (g.name == name) return &g;
  return nullptr;
}

std::optional<uint32_t> AccountTable::uid_of(std::string_view name) const {
  if (name.starts_with('#')) return parse_id(name.substr(1));
  if (auto id = parse_id(name)) return id;
  const Account* u = user(name);
  return u ? std::optional<uint32_t>(u->uid) : std::nullopt;
}

std::optional<uint32_t> AccountTable::gid_of(std::string_view name) const {
  if (name.starts_with('#')) return parse_id(name.substr(1));
  if (auto id = parse_id(name)) return id;
  const Group* g = group(name);
  return g ? std::optional<uint32_t>(g->gid) : std::nullopt;
}

core::Result<uint32_t> AccountTable::add_system_group(std::string_view name,
                                                      std::optional<uint32_t> gid) {
  if (!is_valid_account_name(name))
    return core::make_error(std::string(name), "not a valid group name");
  if (const Group* g = group(name)) return g->gid;
  auto taken = [this](uint32_t id) {
    return std::any_of(groups_.begin(), groups_.end(),
                       [id](const Group& g) { return g.gid == id; });
  };
  if (gid && taken(*gid))
    return core::make_error(std::string(name), fmt::format("gid {} is taken", *gid));
  if (!gid) {
    for (uint32_t id = kFirstSystemId; id <= kLastSystemId && !gid; ++id)
      if (!taken(id)) gid = id;
    if (!gid) return core::make_error(std::string(name), "no free system gid (100-999)");
  }
  groups_.push_back({std::string(name), *gid, {}});
  return *gid;
}

core::Status AccountTable::add_system_user(const UserRequest& r) {
  if (!is_valid_account_name(r.name)) return core::make_error(r.name, "not a valid user name");
  if (!safe_field(r.gecos) || !safe_field(r.home) || !safe_field(r.shell))
    return core::make_error(r.name, "a field holds ':' or a newline");
  if (user(r.name)) return core::Status::Ok();
  auto taken = [this](uint32_t id) {
    return std::any_of(users_.begin(), users_.end(),
                       [id](const Account& u) { return u.uid == id; });
  };
  std::optional<uint32_t> uid = r.uid;
  if (uid && taken(*uid)) return core::make_error(r.name, fmt::format("uid {} is taken", *uid));
  if (!uid) {
    for (uint32_t id = kFirstSystemId; id <= kLastSystemId && !uid; ++id)
      if (!taken(id) && (!r.own_group || !gid_taken_by_other(id, r.name))) uid = id;
    if (!uid) return core::make_error(r.name, "no free system uid (100-999)");
  }
  uint32_t gid = 65534;
  if (r.gid) {
    gid = *r.gid;
  } else if (r.own_group) {
    // adduser --system --group gives the group the user's id when free.
    std::optional<uint32_t> want;
    if (!group(r.name) && !gid_taken_by_other(*uid, r.name)) want = *uid;
    DISTILL_ASSIGN(gid, add_system_group(r.name, want));
  } else if (!r.group.empty()) {
    auto g = gid_of(r.group);
    if (!g) return core::make_error(r.name, "group '" + r.group + "' does not exist");
    gid = *g;
  } else if (auto nogroup = gid_of("nogroup")) {
    gid = *nogroup;
  }
  users_.push_back({r.name, *uid, gid, r.gecos, r.home, r.shell.empty() ? kNologin : r.shell});
  if (r.create_home && r.home != "/nonexistent" && r.home.starts_with("/"))
    homes_.emplace_back(r.home, *uid);
  return core::Status::Ok();
}

bool AccountTable::gid_taken_by_other(uint32_t id, std::string_view name) const {
  return std::any_of(groups_.begin(), groups_.end(),
                     [&](const Group& g) { return g.gid == id && g.name != name; });
}

core::Status AccountTable::add_user(const Account& a) {
  if (!is_valid_account_name(a.name)) return core::make_error(a.name, "not a valid user name");
  if (!safe_field(a.gecos) || !safe_field(a.home) || !safe_field(a.shell))
    return core::make_error(a.name, "a field holds ':' or a newline");
  for (auto& u : users_) {
    if (u.name == a.name) {
      u = a;  // the spec's word over the defaults
      return core::Status::Ok();
    }
    if (u.uid == a.uid)
      return core::make_error(a.name, fmt::format("uid {} is already {}'s", a.uid, u.name));
  }
  users_.push_back(a);
  if (a.home.starts_with("/") && a.home != "/nonexistent" && a.home != "/")
    homes_.emplace_back(a.home, a.uid);
  return core::Status::Ok();
}

core::Status AccountTable::add_group(const Group& g) {
  if (!is_valid_account_name(g.name)) return core::make_error(g.name, "not a valid group name");
  for (auto& existing : groups_) {
    if (existing.name == g.name) {
      existing.gid = g.gid;
      for (const auto& m : g.members) DISTILL_TRY(add_member(g.name, m));
      return core::Status::Ok();
    }
    if (existing.gid == g.gid)
      return core::make_error(g.name, fmt::format("gid {} is already {}'s", g.gid, existing.name));
  }
  groups_.push_back({g.name, g.gid, {}});
  for (const auto& m : g.members) DISTILL_TRY(add_member(g.name, m));
  return core::Status::Ok();
}

core::Status AccountTable::add_member(std::string_view group_name, std::string_view user_name) {
  for (auto& g : groups_)
    if (g.name == group_name) {
      if (std::find(g.members.begin(), g.members.end(), user_name) == g.members.end())
        g.members.emplace_back(user_name);
      return core::Status::Ok();
    }
  return core::make_error(std::string(group_name), "no such group");
}

void AccountTable::write(Tree& tree) const {
  std::vector<Account> users = users_;
  std::stable_sort(users.begin(), users.end(),
                   [](const Account& a, const Account& b) { return a.uid < b.uid; });
  std::string passwd;
  for (const auto& u : users)
    passwd += fmt::format("{}:x:{}:{}:{}:{}:{}\n", u.name, u.uid, u.gid, u.gecos, u.home, u.shell);
  std::vector<Group> groups = groups_;
  std::stable_sort(groups.begin(), groups.end(),
                   [](const Group& a, const Group& b) { return a.gid < b.gid; });
  std::string group;
  for (const auto& g : groups)
    group += fmt::format("{}:x:{}:{}\n", g.name, g.gid, core::join(g.members, ","));
  tree.put(oci::FsEntry::file("etc/passwd", std::move(passwd)));
  tree.put(oci::FsEntry::file("etc/group", std::move(group)));
  for (const auto& [home, uid] : homes_) {
    std::string path = tree_path(home);
    if (tree.contains(path)) continue;
    oci::FsEntry dir = oci::FsEntry::directory(path, 0755);
    dir.uid = uid;
    const Account* u = nullptr;
    for (const auto& a : users_)
      if (a.uid == uid) u = &a;
    dir.gid = u ? u->gid : 0;
    tree.put(std::move(dir));
  }
}

SysusersFile parse_sysusers(std::string_view text) {
  SysusersFile out;
  for (std::string_view line : core::lines(text)) {
    std::string trimmed(line);
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t'))
      trimmed.pop_back();
    if (trimmed.empty() || trimmed[0] == '#') continue;
    // Fields are blank-separated; the GECOS field may be double-quoted.
    std::vector<std::string> f;
    for (size_t i = 0; i < trimmed.size();) {
      while (i < trimmed.size() && (trimmed[i] == ' ' || trimmed[i] == '\t')) ++i;
      if (i >= trimmed.size()) break;
      std::string field;
      if (trimmed[i] == '"') {
        size_t end = trimmed.find('"', i + 1);
        if (end == std::string::npos) end = trimmed.size();
        field = trimmed.substr(i + 1, end - i - 1);
        i = end + 1;
      } else {
        while (i < trimmed.size() && trimmed[i] != ' ' && trimmed[i] != '\t') field += trimmed[i++];
      }
      f.push_back(field);
    }
    auto opt = [&f](size_t i) { return i < f.size() && f[i] != "-" ? f[i] : std::string(); };
    if (f.size() >= 2 && f[0] == "g") {
      out.groups.emplace_back(f[1], parse_id(opt(2)));
    } else if (f.size() >= 2 && f[0] == "u") {
      UserRequest r;
      r.name = f[1];
      std::string ids = opt(2);
      auto colon = ids.find(':');
      r.uid = parse_id(ids.substr(0, colon));
      if (colon != std::string::npos) {
        std::string g = ids.substr(colon + 1);
        r.gid = parse_id(g);
        if (!r.gid) r.group = g;
      } else {
        r.own_group = true;
      }
      r.gecos = opt(3);
      if (!opt(4).empty()) r.home = opt(4);
      r.shell = opt(5);
      out.users.push_back(std::move(r));
    } else if (f.size() >= 3 && f[0] == "m") {
      out.members.emplace_back(f[1], f[2]);
    } else {
      out.unhandled.push_back(trimmed);
    }
  }
  return out;
}

}  // namespace distill::effects
