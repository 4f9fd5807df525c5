#include "verify/lint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <tuple>

#include "core/lines.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"
#include "verify/text_util.hpp"

namespace distill::verify {
namespace {

// Content-checked secret files are judged on their first bytes only.
constexpr size_t kSecretPrefix = 64 * 1024;

bool in_bin_dir(std::string_view path) {
  static const std::set<std::string_view> kDirs = {
      "bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "usr/local/sbin", "busybox"};
  return kDirs.count(dir_name(path)) != 0;
}

// An executable name in a bin folder: a regular file, a hard link or a symlink.
bool is_command(const image::FileEntry& e) {
  return (e.type == image::FileType::kRegular || e.type == image::FileType::kSymlink) &&
         in_bin_dir(e.path);
}

class Collector {
 public:
  void add(const char* id, std::string path, std::string message) {
    const LintRule* rule = find_lint_rule(id);
    out.push_back({id, rule ? rule->level : LintLevel::kWarn, path.empty() ? path : "/" + path,
                   std::move(message)});
  }
  std::vector<LintFinding> out;
};

std::string mode_text(uint32_t mode) {
  return fmt::format("{:04o}", mode & 07777);
}

const char* special_bits_name(uint32_t mode) {
  if ((mode & 06000) == 06000) return "setuid/setgid";
  return (mode & 04000) ? "setuid" : "setgid";
}

std::vector<std::string> env_names(const oci::ImageConfig& config) {
  std::vector<std::string> names;
  for (const auto& kv : config.config.env) names.push_back(kv.substr(0, kv.find('=')));
  return names;
}

bool is_debug_image(const LintInput& in) {
  for (const auto& r : in.ref_names)
    if (r.find("debug") != std::string::npos) return true;
  for (const auto& kv : in.config->config.env)
    if (kv.starts_with("PATH=") && kv.find("/busybox") != std::string::npos) return true;
  return false;
}

// --- config -----------------------------------------------------------------

void check_user(const LintInput& in, Collector& c) {
  std::string user = in.config->config.user;
  user = user.substr(0, user.find(':'));
  if (user.empty() || user == "root" || user == "0")
    c.add(lint_id::kUser, "",
          fmt::format("the image runs as root (User is \"{}\")", in.config->config.user));
}

void check_env_secrets(const LintInput& in, Collector& c) {
  static const char* kWords[] = {"PASSWORD", "PASSWD",     "SECRET",      "TOKEN",
                                 "API_KEY",  "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL"};
  for (const auto& name : env_names(*in.config)) {
    std::string upper = core::ascii_upper(name);
    for (const char* w : kWords) {
      if (upper.find(w) == std::string::npos) continue;
      // The value is a secret: only the name is shown.
      c.add(lint_id::kSecrets, "",
            fmt::format("environment variable {} looks like a credential", name));
      break;
    }
  }
}

// --- files ------------------------------------------------------------------

bool is_secret_file(std::string_view path) {
  static const std::set<std::string_view> kNames = {
      "id_rsa",           "id_dsa",          "id_ecdsa", "id_ed25519",
      ".git-credentials", ".netrc",          ".pgpass",  ".htpasswd",
      "credentials.json", "secret_token.rb", ".boto"};
  if (kNames.count(base_name(path))) return true;
  return path.ends_with(".aws/credentials") || path.ends_with(".docker/config.json") ||
         path.ends_with(".kube/config");
}

// Files whose name alone says little: an `.npmrc` may only name a registry,
// a `.pem` may be a certificate. Their content decides.
bool is_secret_candidate(std::string_view path) {
  std::string_view base = base_name(path);
  if (base == ".npmrc" || base == ".pypirc") return true;
  bool key_like = base.ends_with(".pem") || base.ends_with(".key");
  return key_like && !path.starts_with("usr/share/") && !path.starts_with("etc/ssl/certs/");
}

bool holds_secret(std::string_view path, std::string_view content) {
  content = content.substr(0, kSecretPrefix);
  std::string_view base = base_name(path);
  if (base == ".npmrc") {
    for (std::string_view line : core::lines(content)) {
      for (std::string_view key : {"_authToken", "_auth", "_password"}) {
        size_t at = line.find(key);
        if (at != std::string_view::npos && line.find('=', at) != std::string_view::npos)
          return true;
      }
    }
    return false;
  }
  if (base == ".pypirc") {
    for (std::string_view line : core::lines(content)) {
      std::string_view t = core::trim_space(line);
      if (t.starts_with("password") && t.find_first_of("=:") != std::string_view::npos) return true;
    }
    return false;
  }
  size_t begin = content.find("-----BEGIN ");
  return begin != std::string_view::npos &&
         content.find("PRIVATE KEY-----", begin) != std::string_view::npos;
}

bool is_dotenv(std::string_view path) {
  std::string_view base = base_name(path);
  return base == ".env" || base.starts_with(".env.");
}

// Where a link at `path` points, lexically, as an absolute path: relative
// targets from the link's folder, ".." stopping at the root.
std::string link_destination(std::string_view path, std::string_view target) {
  std::vector<std::string_view> parts;
  auto push = [&parts](std::string_view p) {
    for (std::string_view c : core::split(p, '/')) {
      if (c.empty() || c == ".") continue;
      if (c == "..") {
        if (!parts.empty()) parts.pop_back();
      } else {
        parts.push_back(c);
      }
    }
  };
  if (!target.starts_with("/")) {
    size_t slash = path.rfind('/');
    push(slash == std::string_view::npos ? std::string_view() : path.substr(0, slash));
  }
  push(target);
  std::string out;
  for (std::string_view c : parts) out += "/" + std::string(c);
  return out.empty() ? "/" : out;
}

// The runtime mounts these: a link into them resolves in a running container.
bool into_runtime_mount(std::string_view path, std::string_view target) {
  std::string dest = link_destination(path, target);
  for (std::string_view dir : {"/proc", "/sys", "/dev", "/run", "/tmp"})
    if (dest == dir || (dest.starts_with(dir) && dest[dir.size()] == '/')) return true;
  return false;
}

bool is_unneeded_file(std::string_view path) {
  static const std::set<std::string_view> kNames = {".git",      ".svn",  ".hg",
                                                    ".DS_Store", ".idea", ".vscode"};
  return kNames.count(base_name(path)) != 0;
}

std::optional<std::string> family_of(std::string_view name) {
  static const std::vector<std::pair<std::regex, const char*>> kFamilies = [] {
    std::vector<std::pair<std::regex, const char*>> v;
    for (auto [re, family] : std::initializer_list<std::pair<const char*, const char*>>{
             {"python[0-9.]*(-config)?", "python"},
             {"pypy[0-9.]*", "python"},
             {"perl[0-9.]*", "perl"},
             {"node|nodejs", "node"},
             {"ruby[0-9.]*", "ruby"},
             {"irb[0-9.]*", "ruby"},
             {"php[0-9.]*", "php"},
             {"lua[0-9.]*", "lua"},
             {"tclsh[0-9.]*", "tcl"},
             {"awk|gawk|mawk|nawk", "awk"},
             {"jshell", "java"}})
      v.emplace_back(std::regex(re), family);
    return v;
  }();
  std::string s(name);
  for (const auto& [re, family] : kFamilies)
    if (std::regex_match(s, re)) return std::string(family);
  return std::nullopt;
}

// The runtime family the entrypoint (or cmd) starts, symlinks followed.
std::optional<std::string> entrypoint_family(const LintInput& in) {
  const auto& c = in.config->config;
  const auto& argv = !c.entrypoint.empty() ? c.entrypoint : c.cmd;
  if (argv.empty()) return std::nullopt;
  if (auto f = family_of(base_name(argv[0]))) return f;
  std::string_view p = argv[0];
  while (p.starts_with('/')) p.remove_prefix(1);
  auto target = in.fs->resolve(p);
  if (target.ok()) return family_of(base_name((*target)->path));
  return std::nullopt;
}

void check_commands(const LintInput& in, Collector& c) {
  static const std::set<std::string_view> kShells = {"sh",  "bash", "dash", "ash",  "zsh",
                                                     "ksh", "mksh", "csh",  "tcsh", "fish"};
  static const std::set<std::string_view> kManagers = {
      "dpkg",     "dpkg-deb", "apt",    "apt-get", "aptitude", "rpm",          "yum", "dnf",
      "microdnf", "apk",      "zypper", "pip",     "pip3",     "easy_install", "gem", "npm"};
  auto runtime = entrypoint_family(in);
  bool debug = is_debug_image(in);
  for (const auto& [path, e] : in.fs->entries()) {
    if (!is_command(e)) continue;
    std::string_view base = base_name(path);
    if (kShells.count(base)) c.add(lint_id::kShell, path, "shell");
    if (kManagers.count(base)) c.add(lint_id::kPackageManager, path, "package manager");
    if (auto family = family_of(base); family && family != runtime)
      c.add(lint_id::kInterpreter, path,
            fmt::format("{} interpreter, not the entrypoint's runtime", *family));
    if (base == "busybox" && !debug)
      c.add(lint_id::kDebugShell, path,
            "busybox (a debug shell) in an image not tagged or set up as debug");
  }
}

void check_files(const LintInput& in, Collector& c) {
  for (const auto& [path, e] : in.fs->entries()) {
    using image::FileType;
    if (e.type == FileType::kRegular && (e.mode & 06000))
      c.add(lint_id::kSpecialBits, path,
            fmt::format("{} file (mode {})", special_bits_name(e.mode), mode_text(e.mode)));
    bool sticky_dir = e.type == FileType::kDirectory && (e.mode & 01000);
    if (e.type != FileType::kSymlink && (e.mode & 0002) && !sticky_dir)
      c.add(lint_id::kWorldWritable, path,
            fmt::format("world-writable {} (mode {})", image::file_type_name(e.type),
                        mode_text(e.mode)));
    if (e.type == FileType::kCharDevice || e.type == FileType::kBlockDevice)
      c.add(lint_id::kDevice, path, "device node (the runtime provides /dev)");
    if (e.type == FileType::kRegular && is_secret_file(path))
      c.add(lint_id::kSecrets, path, "file that usually holds a credential");
    if (e.type == FileType::kRegular && is_secret_candidate(path)) {
      // Content not kept (over the view's budget): judged by its name.
      if (!e.content || holds_secret(path, *e.content))
        c.add(lint_id::kSecrets, path,
              "file that holds a credential (private key, token or password)");
    }
    if (e.type == FileType::kRegular && is_dotenv(path))
      c.add(lint_id::kDotenv, path, "dotenv file: an app's secrets, usually");
    if (e.type == FileType::kSymlink && !into_runtime_mount(path, e.link_target) &&
        !in.fs->resolve(path).ok())
      c.add(lint_id::kDanglingLink, path,
            fmt::format("symlink to {}, which is not in the image",
                        core::escape_control(e.link_target)));
    if (is_unneeded_file(path)) c.add(lint_id::kUnneededFiles, path, "not needed at run time");
  }
}

// --- accounts ---------------------------------------------------------------

std::vector<std::vector<std::string>> colon_records(const image::RootfsView& fs,
                                                    std::string_view path) {
  std::vector<std::vector<std::string>> out;
  auto text = fs.read_file(path);
  if (!text.ok()) return out;
  for (std::string_view line : core::lines(*text)) {
    if (line.empty() || line.starts_with('#')) continue;
    std::vector<std::string> fields;
    size_t f = 0;
    while (true) {
      size_t colon = line.find(':', f);
      fields.emplace_back(line.substr(f, colon == std::string_view::npos ? line.npos : colon - f));
      if (colon == std::string_view::npos) break;
      f = colon + 1;
    }
    out.push_back(std::move(fields));
  }
  return out;
}

void check_accounts(const LintInput& in, Collector& c) {
  auto shadow = colon_records(*in.fs, "etc/shadow");
  for (const auto& r : shadow)
    if (r.size() > 1 && r[1].empty())
      c.add(lint_id::kEmptyPassword, "etc/shadow",
            fmt::format("user {} has an empty password", r[0]));
  auto passwd = colon_records(*in.fs, "etc/passwd");
  for (const auto& r : passwd)
    if (r.size() > 1 && r[1].empty())
      c.add(lint_id::kEmptyPassword, "etc/passwd",
            fmt::format("user {} has an empty password", r[0]));
  auto duplicates = [&c](const std::vector<std::vector<std::string>>& records, const char* path,
                         const char* what) {
    std::map<std::string, std::vector<std::string>> by_id;
    for (const auto& r : records)
      if (r.size() > 2) by_id[r[2]].push_back(r[0]);
    for (const auto& [id, names] : by_id) {
      if (names.size() < 2) continue;
      c.add(lint_id::kDuplicateIds, path,
            fmt::format("{} {} is shared by {}", what, id, core::join(names, ", ")));
    }
  };
  duplicates(passwd, "etc/passwd", "uid");
  duplicates(colon_records(*in.fs, "etc/group"), "etc/group", "gid");
}

void check_elf(const LintInput& in, Collector& c) {
  ElfCheckOptions options;
  options.lookup = in.lookup;
  for (const auto& f : check_elf_dependencies(*in.fs, options)) {
    std::string hint = f.hint();
    // A file with the ELF magic that does not parse is odd, but not a missing
    // dependency; an optional plugin's missing library is a warning.
    c.add(f.rule_id(), f.binary, f.message() + (hint.empty() ? "" : " (" + hint + ")"));
  }
}

}  // namespace

bool lint_keep_content(std::string_view path) {
  return path == "etc/passwd" || path == "etc/group" || path == "etc/shadow" ||
         is_secret_candidate(path);
}

std::vector<LintFinding> lint_image(const LintInput& in) {
  Collector c;
  check_user(in, c);
  check_env_secrets(in, c);
  check_commands(in, c);
  check_files(in, c);
  check_accounts(in, c);
  check_elf(in, c);
  std::stable_sort(c.out.begin(), c.out.end(), [](const LintFinding& a, const LintFinding& b) {
    if (a.level != b.level) return a.level > b.level;
    return std::tie(a.id, a.path) < std::tie(b.id, b.path);
  });
  return std::move(c.out);
}

}  // namespace distill::verify
