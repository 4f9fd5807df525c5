#include "builder/spec.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <string_view>

#include "builder/health_target.hpp"
#include "builder/preset.hpp"
#include "core/duration.hpp"
#include "core/file_util.hpp"
#include "core/ignore_patterns.hpp"
#include "core/strings.hpp"
#include "core/suggest.hpp"
#include "core/yaml.hpp"
#include "debian/distro.hpp"
#include "verify/finding_ignore.hpp"

namespace distill::builder {
namespace {

const std::vector<std::string> kKeys = {"distro",
                                        "archs",
                                        "base",
                                        "packages",
                                        "exclude",
                                        "debug",
                                        "files",
                                        "ca_certificates",
                                        "user",
                                        "workdir",
                                        "entrypoint",
                                        "cmd",
                                        "env",
                                        "ports",
                                        "labels",
                                        "annotations",
                                        "keep_docs",
                                        "mirror",
                                        "security_mirror",
                                        "allow_shells",
                                        "accounts",
                                        "acknowledge_scripts",
                                        "python_bytecode",
                                        "elf_check",
                                        "healthcheck",
                                        "layering"};
const std::vector<std::string> kFileKeys = {"src", "dst", "mode", "uid", "gid", "exclude"};
const std::vector<std::string> kAccountsKeys = {"groups", "users", "run_as"};
const std::vector<std::string> kElfCheckKeys = {"ignore"};
const std::vector<std::string> kLayeringKeys = {"strategy", "max_layers"};
const std::vector<std::string> kHealthKeys = {"http",    "tcp",          "exec",   "interval",
                                              "timeout", "start_period", "retries"};
const std::vector<std::string> kGroupKeys = {"groupname", "gid", "members"};
const std::vector<std::string> kUserKeys = {"username", "uid", "gid", "home", "shell", "gecos"};
const std::vector<std::string> kArchs = {"amd64", "arm64", "armhf", "i386", "ppc64el", "s390x"};

// Tracks the spec's name so every error can say "<file>:<line>".
struct Ctx {
  const std::string& path;
  core::Error at(const YAML::Node& n, std::string what, std::string hint = {}) const {
    return core::make_error(fmt::format("{}:{}", path, n.Mark().line + 1), std::move(what),
                            std::move(hint));
  }
};

const char* kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "an undefined value";
  }
}

core::Result<std::string> scalar(const Ctx& c, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) return c.at(n, fmt::format("'{}' must be a string (got {})", key, kind(n)));
  return n.Scalar();
}

core::Result<bool> boolean(const Ctx& c, const YAML::Node& n, const std::string& key) {
  DISTILL_ASSIGN(std::string s, scalar(c, n, key));
  if (s == "true" || s == "yes") return true;
  if (s == "false" || s == "no") return false;
  return c.at(n, fmt::format("'{}' must be true or false (got '{}')", key, s));
}

core::Result<std::vector<std::string>> string_list(const Ctx& c, const YAML::Node& n,
                                                   const std::string& key) {
  if (n.IsNull()) return std::vector<std::string>{};
  if (!n.IsSequence())
    return c.at(n, fmt::format("'{}' must be a list of strings (got {})", key, kind(n)));
  std::vector<std::string> out;
  for (const auto& item : n) {
    DISTILL_ASSIGN(std::string s, scalar(c, item, key + " item"));
    out.push_back(std::move(s));
  }
  return out;
}

core::Result<std::map<std::string, std::string>> string_map(const Ctx& c, const YAML::Node& n,
                                                            const std::string& key) {
  if (n.IsNull()) return std::map<std::string, std::string>{};
  if (!n.IsMap())
    return c.at(n, fmt::format("'{}' must be a map of strings (got {})", key, kind(n)));
  std::map<std::string, std::string> out;
  for (const auto& kv : n) {
    DISTILL_ASSIGN(std::string k, scalar(c, kv.first, key + " key"));
    DISTILL_ASSIGN(std::string v, scalar(c, kv.second, key + "." + k));
    if (k.empty()) return c.at(kv.first, fmt::format("'{}' has an empty key", key));
    out[k] = std::move(v);
  }
  return out;
}

core::Result<uint32_t> number(const Ctx& c, const YAML::Node& n, const std::string& key,
                              int base = 10, uint64_t max = 0xffffffffu) {
  DISTILL_ASSIGN(std::string s, scalar(c, n, key));
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v > max)
    return c.at(n, fmt::format("'{}' must be a {} number up to {} (got '{}')", key,
                               base == 8 ? "octal" : "whole",
                               base == 8 ? fmt::format("{:o}", max) : std::to_string(max), s));
  return static_cast<uint32_t>(v);
}

core::Status unknown_keys(const Ctx& c, const YAML::Node& map, const std::vector<std::string>& keys,
                          const std::string& what) {
  for (const auto& kv : map) {
    std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
    std::string near = core::closest_match(k, keys);
    return c.at(
        kv.first, fmt::format("unknown key '{}' in {}", k, what),
        near.empty() ? "see docs/spec.md for the fields" : fmt::format("did you mean '{}'?", near));
  }
  return core::Status::Ok();
}

bool safe_image_path(std::string_view p) {
  if (p.empty() || p.front() != '/') return false;
  if (p.find('\0') != std::string_view::npos) return false;
  size_t start = 1;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    if (p.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string join_path(const std::string& dir, const std::string& p) {
  if (!p.empty() && p.front() == '/') return p;
  return dir.empty() ? p : dir + "/" + p;
}

// `exclude` patterns, each one checked where it is written; they apply to
// what a folder holds, so a file's entry may not have them.
core::Status file_excludes(const Ctx& c, const YAML::Node& n, const std::string& key, FileSpec& f) {
  DISTILL_ASSIGN(f.exclude, string_list(c, n, key + ".exclude"));
  for (size_t i = 0; i < f.exclude.size(); ++i) {
    core::IgnorePatterns check;
    core::Status st = check.add(f.exclude[i]);
    if (!st.ok())
      return c.at(n[i], fmt::format("'{}.exclude' item: {}", key, st.error().what),
                  st.error().hint);
  }
  struct stat st {};
  if (!f.exclude.empty() && (::lstat(f.src_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
    return c.at(n, fmt::format("'{}.exclude' applies to a folder, and '{}' is not one", key, f.src),
                "name the files to copy instead");
  return core::Status::Ok();
}

core::Result<FileSpec> file_entry(const Ctx& c, const YAML::Node& n, const std::string& base_dir,
                                  size_t index) {
  std::string key = fmt::format("files[{}]", index);
  if (!n.IsMap()) return c.at(n, fmt::format("'{}' must be a map with src and dst", key));
  DISTILL_TRY(unknown_keys(c, n, kFileKeys, key));
  FileSpec f;
  f.line = n.Mark().line + 1;
  if (!n["src"] || !n["dst"]) return c.at(n, fmt::format("'{}' needs both src and dst", key));
  DISTILL_ASSIGN(f.src, scalar(c, n["src"], key + ".src"));
  DISTILL_ASSIGN(f.dst, scalar(c, n["dst"], key + ".dst"));
  if (!safe_image_path(f.dst))
    return c.at(n["dst"], fmt::format("'{}.dst' must be an absolute path without '..' (got '{}')",
                                      key, f.dst));
  f.src_path = join_path(base_dir, f.src);
  struct stat st {};
  if (::stat(f.src_path.c_str(), &st) != 0)
    return c.at(n["src"], fmt::format("'{}.src' does not exist: {}", key, f.src_path),
                "paths are relative to the spec's folder");
  if (n["mode"]) {
    DISTILL_ASSIGN(uint32_t mode, number(c, n["mode"], key + ".mode", 8, 07777));
    f.mode = mode;
  }
  if (n["uid"]) {
    DISTILL_ASSIGN(f.uid, number(c, n["uid"], key + ".uid"));
  }
  if (n["gid"]) {
    DISTILL_ASSIGN(f.gid, number(c, n["gid"], key + ".gid"));
  }
  if (n["exclude"]) DISTILL_TRY(file_excludes(c, n["exclude"], key, f));
  return f;
}

core::Result<std::string> port(const Ctx& c, const YAML::Node& n) {
  DISTILL_ASSIGN(std::string s, scalar(c, n, "ports item"));
  std::string num = s, proto = "tcp";
  if (auto slash = s.find('/'); slash != std::string::npos) {
    num = s.substr(0, slash);
    proto = s.substr(slash + 1);
  }
  unsigned v = 0;
  auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (num.empty() || ec != std::errc() || end != num.data() + num.size() || v == 0 || v > 65535 ||
      (proto != "tcp" && proto != "udp" && proto != "sctp"))
    return c.at(n, fmt::format("port '{}' must be 1-65535, optionally /tcp, /udp or /sctp", s));
  return fmt::format("{}/{}", v, proto);
}

core::Status one_of(const Ctx& c, const YAML::Node& n, const std::string& key,
                    const std::string& value, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return core::Status::Ok();
  std::string near = core::closest_match(value, allowed);
  std::string list = core::join(allowed, ", ");
  return c.at(n, fmt::format("'{}' must be one of {} (got '{}')", key, list, value),
              near.empty() ? "" : fmt::format("did you mean '{}'?", near));
}

// A key whose value goes into one field of `Spec` as it is: found in the
// table of its field's type, parsed by that type's reader.
template <typename T>
using FieldTable = std::map<std::string_view, T Spec::*>;

template <typename T, typename Parse>
std::optional<core::Status> set_field(const FieldTable<T>& table, Parse parse, const Ctx& c,
                                      Spec& s, const std::string& k, const YAML::Node& v) {
  auto it = table.find(k);
  if (it == table.end()) return std::nullopt;
  auto value = parse(c, v, k);
  if (!value.ok()) return core::Status(value.error());
  s.*(it->second) = std::move(*value);
  return core::Status::Ok();
}

std::optional<core::Status> apply_plain_key(const Ctx& c, Spec& s, const std::string& k,
                                            const YAML::Node& v) {
  static const FieldTable<std::string> kText = {{"mirror", &Spec::mirror},
                                                {"security_mirror", &Spec::security_mirror}};
  static const FieldTable<bool> kFlags = {{"debug", &Spec::debug},
                                          {"keep_docs", &Spec::keep_docs},
                                          {"allow_shells", &Spec::allow_shells},
                                          {"python_bytecode", &Spec::python_bytecode}};
  static const FieldTable<std::vector<std::string>> kLists = {
      {"packages", &Spec::packages},
      {"exclude", &Spec::exclude},
      {"entrypoint", &Spec::entrypoint},
      {"cmd", &Spec::cmd},
      {"acknowledge_scripts", &Spec::acknowledge_scripts}};
  static const FieldTable<std::map<std::string, std::string>> kMaps = {
      {"env", &Spec::env}, {"labels", &Spec::labels}, {"annotations", &Spec::annotations}};
  if (auto r = set_field(kText, scalar, c, s, k, v)) return r;
  if (auto r = set_field(kFlags, boolean, c, s, k, v)) return r;
  if (auto r = set_field(kLists, string_list, c, s, k, v)) return r;
  return set_field(kMaps, string_map, c, s, k, v);
}

core::Status apply_archs(const Ctx& c, Spec& s, const YAML::Node& v) {
  DISTILL_ASSIGN(s.archs, string_list(c, v, "archs"));
  for (size_t i = 0; i < s.archs.size(); ++i) {
    core::Status st =
        check_arch_name(fmt::format("{}:{}", c.path, v[i].Mark().line + 1), "archs", s.archs[i]);
    if (!st.ok()) return st;
  }
  return core::Status::Ok();
}

core::Status apply_files(const Ctx& c, Spec& s, const YAML::Node& v) {
  if (v.IsNull()) return core::Status::Ok();
  if (!v.IsSequence()) return c.at(v, fmt::format("'files' must be a list (got {})", kind(v)));
  for (size_t i = 0; i < v.size(); ++i) {
    DISTILL_ASSIGN(FileSpec f, file_entry(c, v[i], s.base_dir, i));
    s.files.push_back(std::move(f));
  }
  return core::Status::Ok();
}

core::Status apply_ca_certificates(const Ctx& c, Spec& s, const YAML::Node& v) {
  DISTILL_ASSIGN(auto certs, string_list(c, v, "ca_certificates"));
  for (size_t i = 0; i < certs.size(); ++i) {
    std::string p = join_path(s.base_dir, certs[i]);
    if (!core::path_exists(p))
      return c.at(v[i], fmt::format("'ca_certificates' file does not exist: {}", p));
    s.ca_certificates.push_back(p);
  }
  return core::Status::Ok();
}

core::Status apply_user(const Ctx& c, Spec& s, const YAML::Node& v) {
  DISTILL_ASSIGN(std::string u, scalar(c, v, "user"));
  auto parsed = parse_user(u);
  if (!parsed.ok()) return c.at(v, parsed.error().what, parsed.error().hint);
  s.user = *parsed;
  return core::Status::Ok();
}

core::Status apply_workdir(const Ctx& c, Spec& s, const YAML::Node& v) {
  DISTILL_ASSIGN(s.workdir, scalar(c, v, "workdir"));
  if (!safe_image_path(s.workdir))
    return c.at(v, fmt::format("'workdir' must be an absolute path (got '{}')", s.workdir));
  return core::Status::Ok();
}

core::Status apply_ports(const Ctx& c, Spec& s, const YAML::Node& v) {
  if (v.IsNull()) return core::Status::Ok();
  if (!v.IsSequence()) return c.at(v, fmt::format("'ports' must be a list (got {})", kind(v)));
  for (const auto& item : v) {
    DISTILL_ASSIGN(std::string p, port(c, item));
    s.ports.push_back(std::move(p));
  }
  return core::Status::Ok();
}

core::Result<std::string> account_name(const Ctx& c, const YAML::Node& n, const std::string& key) {
  DISTILL_ASSIGN(std::string name, scalar(c, n, key));
  if (!effects::is_valid_account_name(name))
    return c.at(n, fmt::format("'{}' must be a user or group name (got '{}')", key, name),
                "letters, digits, '_', '-' and '.', at most 32");
  return name;
}

core::Result<effects::Group> account_group(const Ctx& c, const YAML::Node& n, size_t i) {
  std::string key = fmt::format("accounts.groups[{}]", i);
  if (!n.IsMap()) return c.at(n, fmt::format("'{}' must be a map with groupname and gid", key));
  DISTILL_TRY(unknown_keys(c, n, kGroupKeys, key));
  if (!n["groupname"] || !n["gid"])
    return c.at(n, fmt::format("'{}' needs groupname and gid", key));
  effects::Group g;
  DISTILL_ASSIGN(g.name, account_name(c, n["groupname"], key + ".groupname"));
  DISTILL_ASSIGN(g.gid, number(c, n["gid"], key + ".gid"));
  if (n["members"]) {
    DISTILL_ASSIGN(g.members, string_list(c, n["members"], key + ".members"));
    for (size_t m = 0; m < g.members.size(); ++m)
      DISTILL_TRY(account_name(c, n["members"][m], key + ".members item"));
  }
  return g;
}

core::Result<effects::Account> account_user(const Ctx& c, const YAML::Node& n, size_t i,
                                            bool debug) {
  std::string key = fmt::format("accounts.users[{}]", i);
  if (!n.IsMap()) return c.at(n, fmt::format("'{}' must be a map with username and uid", key));
  DISTILL_TRY(unknown_keys(c, n, kUserKeys, key));
  if (!n["username"] || !n["uid"]) return c.at(n, fmt::format("'{}' needs username and uid", key));
  effects::Account a;
  DISTILL_ASSIGN(a.name, account_name(c, n["username"], key + ".username"));
  DISTILL_ASSIGN(a.uid, number(c, n["uid"], key + ".uid"));
  a.gid = a.uid;
  if (n["gid"]) {
    DISTILL_ASSIGN(a.gid, number(c, n["gid"], key + ".gid"));
  }
  a.home = "/home/" + a.name;
  if (n["home"]) {
    DISTILL_ASSIGN(a.home, scalar(c, n["home"], key + ".home"));
    if (!safe_image_path(a.home) || a.home.find(':') != std::string::npos)
      return c.at(n["home"], fmt::format("'{}.home' must be an absolute path", key));
  }
  if (n["gecos"]) {
    DISTILL_ASSIGN(a.gecos, scalar(c, n["gecos"], key + ".gecos"));
    if (a.gecos.find_first_of(":\n") != std::string::npos)
      return c.at(n["gecos"], fmt::format("'{}.gecos' may not hold ':'", key));
  }
  a.shell = effects::kNologin;
  if (n["shell"]) {
    if (!debug)
      return c.at(n["shell"], fmt::format("'{}.shell' needs a debug image", key),
                  "a distroless account logs in nowhere: every user gets nologin unless "
                  "'debug: true'");
    DISTILL_ASSIGN(a.shell, scalar(c, n["shell"], key + ".shell"));
    if (!safe_image_path(a.shell))
      return c.at(n["shell"], fmt::format("'{}.shell' must be an absolute path", key));
  }
  return a;
}

core::Status apply_accounts(const Ctx& c, Spec& s, const YAML::Node& v) {
  if (v.IsNull()) return core::Status::Ok();
  if (!v.IsMap()) return c.at(v, fmt::format("'accounts' must be a map (got {})", kind(v)));
  DISTILL_TRY(unknown_keys(c, v, kAccountsKeys, "accounts"));
  for (const char* list : {"groups", "users"})
    if (v[list] && !v[list].IsSequence() && !v[list].IsNull())
      return c.at(v[list], fmt::format("'accounts.{}' must be a list", list));
  if (v["groups"])
    for (size_t i = 0; i < v["groups"].size(); ++i) {
      DISTILL_ASSIGN(effects::Group g, account_group(c, v["groups"][i], i));
      s.accounts.groups.push_back(std::move(g));
    }
  if (v["users"])
    for (size_t i = 0; i < v["users"].size(); ++i) {
      DISTILL_ASSIGN(effects::Account a, account_user(c, v["users"][i], i, s.debug));
      s.accounts.users.push_back(std::move(a));
    }
  if (v["run_as"]) {
    DISTILL_ASSIGN(s.accounts.run_as, scalar(c, v["run_as"], "accounts.run_as"));
    auto user =
        std::find_if(s.accounts.users.begin(), s.accounts.users.end(),
                     [&](const effects::Account& a) { return a.name == s.accounts.run_as; });
    if (user != s.accounts.users.end()) {
      s.user = UserSpec{user->name, user->uid, user->gid};
    } else {
      auto parsed = parse_user(s.accounts.run_as);
      if (!parsed.ok())
        return c.at(v["run_as"], "'accounts.run_as' names no user of 'accounts.users'",
                    "a name from accounts.users, root, nonroot, nobody or UID[:GID]");
      s.user = *parsed;
    }
  }
  return core::Status::Ok();
}

// `elf_check: {ignore: [ID | /path | ID:/path, ...]}`, as `lint --ignore` takes them.
core::Status apply_elf_check(const Ctx& c, Spec& s, const YAML::Node& v) {
  if (v.IsNull()) return core::Status::Ok();
  if (!v.IsMap()) return c.at(v, fmt::format("'elf_check' must be a map (got {})", kind(v)));
  DISTILL_TRY(unknown_keys(c, v, kElfCheckKeys, "elf_check"));
  if (!v["ignore"]) return core::Status::Ok();
  DISTILL_ASSIGN(auto entries, string_list(c, v["ignore"], "elf_check.ignore"));
  for (size_t i = 0; i < entries.size(); ++i) {
    auto parsed = verify::parse_finding_ignore(entries[i]);
    if (!parsed.ok())
      return c.at(v["ignore"][i],
                  fmt::format("'elf_check.ignore' item '{}' {}", entries[i], parsed.error().what),
                  parsed.error().hint);
    s.elf_check.ignore.push_back(std::move(*parsed));
  }
  return core::Status::Ok();
}

// `layering: {strategy: origin|single, max_layers: N}` (docs/spec.md#layering).
core::Status apply_layering(const Ctx& c, Spec& s, const YAML::Node& v) {
  if (v.IsNull()) return core::Status::Ok();
  if (!v.IsMap()) return c.at(v, fmt::format("'layering' must be a map (got {})", kind(v)));
  DISTILL_TRY(unknown_keys(c, v, kLayeringKeys, "layering"));
  if (v["strategy"]) {
    DISTILL_ASSIGN(std::string strategy, scalar(c, v["strategy"], "layering.strategy"));
    DISTILL_TRY(one_of(c, v["strategy"], "layering.strategy", strategy, {"origin", "single"}));
    s.layering.strategy =
        strategy == "single" ? LayeringStrategy::kSingle : LayeringStrategy::kOrigin;
  }
  if (v["max_layers"]) {
    DISTILL_ASSIGN(uint32_t n, number(c, v["max_layers"], "layering.max_layers", 10, kMaxOsLayers));
    if (n < 1)
      return c.at(v["max_layers"], "'layering.max_layers' must be at least 1",
                  "it counts the package layers below the image's own layer");
    s.layering.max_layers = n;
  }
  return core::Status::Ok();
}

core::Result<int64_t> health_duration(const Ctx& c, const YAML::Node& n, const std::string& key,
                                      int64_t min_ns) {
  DISTILL_ASSIGN(std::string text, scalar(c, n, key));
  auto ns = core::parse_duration(text);
  if (!ns.ok())
    return c.at(n, fmt::format("'{}' {}: '{}'", key, ns.error().what, text), ns.error().hint);
  if (*ns < min_ns)
    return c.at(n,
                fmt::format("'{}' must be at least {} (got '{}')", key,
                            core::format_duration(min_ns), text),
                "docker refuses shorter ones too");
  return *ns;
}

core::Status health_form(const Ctx& c, const YAML::Node& v, HealthcheckSpec& h) {
  int forms = 0;
  for (const char* k : {"http", "tcp", "exec"}) forms += v[k] ? 1 : 0;
  if (forms != 1)
    return c.at(v, "'healthcheck' needs exactly one of http, tcp or exec",
                "e.g. http: http://127.0.0.1:8080/health");
  if (v["http"] || v["tcp"]) {
    bool http = static_cast<bool>(v["http"]);
    const YAML::Node n = http ? v["http"] : v["tcp"];
    const std::string key = http ? "healthcheck.http" : "healthcheck.tcp";
    DISTILL_ASSIGN(std::string text, scalar(c, n, key));
    auto target = http ? parse_health_url(text) : parse_health_tcp(text);
    if (!target.ok())
      return c.at(n, fmt::format("{}: {}", target.error().where, target.error().what),
                  target.error().hint);
    h.kind = http ? HealthKind::kHttp : HealthKind::kTcp;
    h.target = http ? target->url() : target->address();
    return core::Status::Ok();
  }
  h.kind = HealthKind::kExec;
  DISTILL_ASSIGN(h.exec, string_list(c, v["exec"], "healthcheck.exec"));
  if (h.exec.empty())
    return c.at(v["exec"], "'healthcheck.exec' is empty",
                "give the program and its arguments, e.g. [/app/check, --quick]");
  if (!safe_image_path(h.exec.front()))
    return c.at(v["exec"],
                fmt::format("'healthcheck.exec' must start with the absolute path of a "
                            "program in the image (got '{}')",
                            h.exec.front()),
                "no shell runs it: e.g. [/usr/bin/python3, /app/check.py]");
  return core::Status::Ok();
}

// `healthcheck: {http|tcp|exec, interval, timeout, start_period, retries}`.
core::Status apply_healthcheck(const Ctx& c, Spec& s, const YAML::Node& v) {
  if (!v.IsMap())
    return c.at(v, fmt::format("'healthcheck' must be a map (got {})", kind(v)),
                "e.g. healthcheck: {http: http://127.0.0.1:8080/health}");
  DISTILL_TRY(unknown_keys(c, v, kHealthKeys, "healthcheck"));
  HealthcheckSpec h;
  h.line = v.Mark().line + 1;
  DISTILL_TRY(health_form(c, v, h));
  constexpr int64_t kMilli = 1'000'000;
  if (v["interval"]) {
    DISTILL_ASSIGN(h.interval, health_duration(c, v["interval"], "healthcheck.interval", kMilli));
  }
  if (v["timeout"]) {
    DISTILL_ASSIGN(h.timeout, health_duration(c, v["timeout"], "healthcheck.timeout", kMilli));
  }
  if (v["start_period"]) {
    DISTILL_ASSIGN(h.start_period,
                   health_duration(c, v["start_period"], "healthcheck.start_period", 0));
  }
  if (v["retries"]) {
    DISTILL_ASSIGN(uint32_t retries, number(c, v["retries"], "healthcheck.retries", 10, 1000000));
    if (retries == 0)
      return c.at(v["retries"], "'healthcheck.retries' must be at least 1",
                  "it counts the failures in a row that make the container unhealthy");
    h.retries = retries;
  }
  s.healthcheck = std::move(h);
  return core::Status::Ok();
}

core::Status apply_key(const Ctx& c, Spec& s, const std::string& k, const YAML::Node& v) {
  if (auto plain = apply_plain_key(c, s, k, v)) return *plain;
  if (k == "distro") {
    DISTILL_ASSIGN(s.distro, scalar(c, v, k));
    return one_of(c, v, k, s.distro, debian::distro_names());
  }
  if (k == "base") {
    DISTILL_ASSIGN(s.base, scalar(c, v, k));
    return one_of(c, v, k, s.base, known_presets());
  }
  using Apply = core::Status (*)(const Ctx&, Spec&, const YAML::Node&);
  static const std::map<std::string_view, Apply> kChecked = {
      {"archs", apply_archs},
      {"files", apply_files},
      {"ca_certificates", apply_ca_certificates},
      {"user", apply_user},
      {"workdir", apply_workdir},
      {"ports", apply_ports},
      {"accounts", apply_accounts},
      {"elf_check", apply_elf_check},
      {"layering", apply_layering},
      {"healthcheck", apply_healthcheck}};
  auto it = kChecked.find(k);
  if (it != kChecked.end()) return it->second(c, s, v);
  return c.at(v, fmt::format("unhandled key '{}'", k));
}

}  // namespace

core::Result<UserSpec> parse_user(std::string_view text) {
  if (text == "root") return UserSpec{"root", 0, 0};
  if (text == "nonroot") return UserSpec{"nonroot", 65532, 65532};
  if (text == "nobody") return UserSpec{"nobody", 65534, 65534};
  std::string_view uid_s = text, gid_s = text;
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    uid_s = text.substr(0, colon);
    gid_s = text.substr(colon + 1);
  }
  uint32_t uid = 0, gid = 0;
  auto ok = [](std::string_view s, uint32_t& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size();
  };
  if (!ok(uid_s, uid) || !ok(gid_s, gid))
    return core::make_error(
        "user", fmt::format("'user' must be root, nonroot, nobody or UID[:GID] (got '{}')", text));
  return UserSpec{std::string(text), uid, gid};
}

core::Result<Spec> parse_spec(std::string_view yaml, const std::string& path,
                              const std::string& base_dir) {
  Ctx c{path};
  DISTILL_ASSIGN(YAML::Node root, core::load_yaml(yaml, path, "the spec must be valid YAML"));
  if (!root.IsMap())
    return c.at(root, fmt::format("the spec must be a map of fields (got {})", kind(root)));
  DISTILL_TRY(unknown_keys(c, root, kKeys, "the spec"));
  Spec s;
  s.path = path;
  s.base_dir = base_dir;
  try {
    // `debug` decides what `accounts` may hold: read it first.
    if (root["debug"]) DISTILL_TRY(apply_key(c, s, "debug", root["debug"]));
    for (const auto& kv : root) DISTILL_TRY(apply_key(c, s, kv.first.Scalar(), kv.second));
    if (root["entrypoint"]) s.entrypoint_line = root["entrypoint"].Mark().line + 1;
    if (root["cmd"]) s.cmd_line = root["cmd"].Mark().line + 1;
    if (root["user"] && root["accounts"] && root["accounts"]["run_as"])
      return c.at(root["user"], "'user' and 'accounts.run_as' both set the image's user",
                  "keep one of them");
  } catch (const YAML::Exception& e) {
    return core::make_error(fmt::format("{}:{}", path, e.mark.line + 1), e.msg);
  }
  return s;
}

core::Status check_arch_name(const std::string& where, std::string_view field,
                             const std::string& arch) {
  if (std::find(kArchs.begin(), kArchs.end(), arch) != kArchs.end()) return core::Status::Ok();
  std::string near = debian::debian_arch_for_alias(arch);
  if (near.empty()) near = core::closest_match(arch, kArchs);
  return core::make_error(
      where,
      fmt::format("{}: '{}' is not a Debian architecture (one of {})", field, arch,
                  core::join(kArchs, ", ")),
      near.empty() ? "distill uses Debian's architecture names"
                   : fmt::format("did you mean '{}'? distill uses Debian's names", near));
}

core::Result<Spec> load_spec(const std::string& path) {
  DISTILL_ASSIGN(std::string text, core::read_file(path));
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  return parse_spec(text, path, dir.empty() ? "/" : dir);
}

}  // namespace distill::builder
