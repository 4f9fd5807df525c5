#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "effects/tree.hpp"

namespace distill::effects {

struct Account {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string gecos;
  std::string home;
  std::string shell;
  bool operator==(const Account&) const = default;
};

struct Group {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
  bool operator==(const Group&) const = default;
};

// What a system user or group request asks for: adduser --system, useradd -r,
// addgroup --system, groupadd -r, a sysusers.d line or the spec's accounts.
struct UserRequest {
  std::string name;
  std::optional<uint32_t> uid;
  std::string group;  // primary group by name; empty: `name`'s own or nogroup
  std::optional<uint32_t> gid;
  bool own_group = false;  // create a group named after the user
  std::string gecos;
  std::string home = "/nonexistent";
  std::string shell;  // empty: the nologin shell
  bool create_home = false;
};

// /etc/passwd and /etc/group as a table: read from a tree, changed the way
// adduser and useradd change them, written back sorted by id so that the
// file does not depend on the order packages were configured in.
class AccountTable {
 public:
  static core::Result<AccountTable> read(const Tree& tree);

  const Account* user(std::string_view name) const;
  const Group* group(std::string_view name) const;
  // "root", "123" or "#123" (dpkg-statoverride's form) -> id.
  std::optional<uint32_t> uid_of(std::string_view user) const;
  std::optional<uint32_t> gid_of(std::string_view group) const;

  // A system group: the given gid, else the first free one in 100..999 (as
  // adduser's FIRST_SYSTEM_GID..LAST_SYSTEM_GID). An existing group of that
  // name is kept. Errors: the gid is taken by another group, none is free.
  core::Result<uint32_t> add_system_group(std::string_view name, std::optional<uint32_t> gid);
  // A system user (and its group when asked). An existing user of that name
  // is kept, as adduser --system does.
  core::Status add_system_user(const UserRequest& request);
  // The spec's own accounts: ids given, not allocated.
  core::Status add_user(const Account& account);
  core::Status add_group(const Group& group);
  core::Status add_member(std::string_view group, std::string_view user);

  // etc/passwd and etc/group (0644), and home folders asked for.
  void write(Tree& tree) const;

  const std::vector<Account>& users() const { return users_; }
  const std::vector<Group>& groups() const { return groups_; }

 private:
  bool gid_taken_by_other(uint32_t id, std::string_view name) const;

  std::vector<Account> users_;
  std::vector<Group> groups_;
  std::vector<std::pair<std::string, uint32_t>> homes_;  // folder, owner uid
};

// The nologin shell every account gets unless the image is a debug one.
inline constexpr const char* kNologin = "/usr/sbin/nologin";

// Valid user and group names, as adduser's default NAME_REGEX_SYSTEM allows
// (and nothing that could break the colon-separated files).
bool is_valid_account_name(std::string_view name);

// The requests of one sysusers.d file's "u" and "g" lines; "m" lines become
// memberships. Other line types are returned as unhandled text.
struct SysusersFile {
  std::vector<UserRequest> users;
  std::vector<std::pair<std::string, std::optional<uint32_t>>> groups;
  std::vector<std::pair<std::string, std::string>> members;  // user, group
  std::vector<std::string> unhandled;
};
SysusersFile parse_sysusers(std::string_view text);

}  // namespace distill::effects
