#include "effects/script_commands.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "core/strings.hpp"
#include "debian/distro.hpp"
#include "debian/version.hpp"

namespace distill::effects {
namespace {

using Args = std::vector<std::string>;

std::string base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// Commands that read, print, manage services or debconf, or act only on
// upgrades and removals: nothing of theirs belongs in an image.
const std::set<std::string, std::less<>> kNoEffect = {"echo",
                                                      "printf",
                                                      "cat",
                                                      "grep",
                                                      "egrep",
                                                      "fgrep",
                                                      "sed",
                                                      "awk",
                                                      "mawk",
                                                      "gawk",
                                                      "cut",
                                                      "tr",
                                                      "head",
                                                      "tail",
                                                      "sort",
                                                      "uniq",
                                                      "wc",
                                                      "basename",
                                                      "dirname",
                                                      "readlink",
                                                      "realpath",
                                                      "stat",
                                                      "ls",
                                                      "md5sum",
                                                      "sha1sum",
                                                      "sha256sum",
                                                      "cmp",
                                                      "diff",
                                                      "mountpoint",
                                                      "ischroot",
                                                      "id",
                                                      "getent",
                                                      "uname",
                                                      "expr",
                                                      "dpkg-query",
                                                      "dpkg-architecture",
                                                      "which",
                                                      "command",
                                                      "type",
                                                      "sleep",
                                                      "logger",
                                                      "deb-systemd-helper",
                                                      "deb-systemd-invoke",
                                                      "systemctl",
                                                      "invoke-rc.d",
                                                      "update-rc.d",
                                                      "dpkg-maintscript-helper",
                                                      "dpkg-trigger",
                                                      "update-binfmts",
                                                      "install-info",
                                                      "update-mime",
                                                      "update-menus",
                                                      "update-desktop-database",
                                                      "gtk-update-icon-cache",
                                                      "update-icon-caches",
                                                      "mandb",
                                                      "py3clean",
                                                      "pyclean",
                                                      "start-stop-daemon",
                                                      "pidof",
                                                      "kill",
                                                      "udevadm",
                                                      "wc",
                                                      "test",
                                                      "[",
                                                      "true",
                                                      "false",
                                                      ":",
                                                      "db_version",
                                                      "db_capb",
                                                      "db_get",
                                                      "db_set",
                                                      "db_metaget",
                                                      "db_fget",
                                                      "db_fset",
                                                      "db_input",
                                                      "db_go",
                                                      "db_stop",
                                                      "db_purge",
                                                      "db_title",
                                                      "db_subst",
                                                      "db_reset",
                                                      "db_register",
                                                      "db_unregister",
                                                      "db_settitle",
                                                      "db_beginblock",
                                                      "db_endblock",
                                                      "db_clear",
                                                      "db_x_loadtemplatefile",
                                                      "db_progress",
                                                      "db_info",
                                                      "db_capb",
                                                      "db_data"};

// dpkg options that only read its database or print.
bool dpkg_reads(const Args& a) {
  if (a.size() < 2) return false;
  const std::string& o = a[1];
  return o == "-L" || o == "--listfiles" || o == "-s" || o == "--status" || o == "-l" ||
         o == "--list" || o == "-S" || o == "--search" || o == "--compare-versions" ||
         o == "--print-architecture" || o == "--print-foreign-architectures" ||
         o.starts_with("--assert-") || o == "--validate-version";
}

std::optional<uint32_t> octal_mode(std::string_view s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 8);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v > 07777)
    return std::nullopt;
  return v;
}

// Splits "-pv" style short options from operands; "--" ends options.
struct Parsed {
  std::string flags;  // every short flag letter seen
  std::vector<std::string> long_opts;
  Args operands;
  std::optional<std::string> mode, owner, group;
  bool bad = false;
};

Parsed parse_args(const Args& args, std::string_view with_value) {
  Parsed p;
  bool options = true;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options && a == "--") {
      options = false;
    } else if (options && a.starts_with("--")) {
      auto eq = a.find('=');
      std::string name = a.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : a.substr(eq + 1);
      if (name == "--mode")
        p.mode = value;
      else if (name == "--owner")
        p.owner = value;
      else if (name == "--group")
        p.group = value;
      else
        p.long_opts.push_back(name);
    } else if (options && a.size() > 1 && a[0] == '-') {
      for (size_t j = 1; j < a.size(); ++j) {
        char f = a[j];
        if (with_value.find(f) == std::string_view::npos) {
          p.flags += f;
          continue;
        }
        std::string value = j + 1 < a.size() ? a.substr(j + 1) : "";
        if (value.empty()) {
          if (i + 1 >= args.size()) {
            p.bad = true;
            return p;
          }
          value = args[++i];
        }
        (f == 'm' ? p.mode : f == 'o' ? p.owner : p.group) = value;
        break;
      }
    } else {
      p.operands.push_back(a);
    }
  }
  return p;
}

bool has_flag(const Parsed& p, char f) {
  return p.flags.find(f) != std::string::npos;
}

void make_parents(Tree& tree, const std::string& path) {
  for (size_t i = path.find('/'); i != std::string::npos; i = path.find('/', i + 1)) {
    std::string dir = path.substr(0, i);
    if (!tree.contains(dir)) tree.put(oci::FsEntry::directory(dir));
  }
}

// dpkg --compare-versions: the "-nl" forms take an empty version as later
// than any, the others as earlier.
Tri compare_versions(const Args& a) {
  if (a.size() != 5) return Tri::kUnknown;
  std::string op = a[3];
  bool nl = op.ends_with("-nl");
  if (nl) op = op.substr(0, op.size() - 3);
  int cmp;
  if (a[2].empty() || a[4].empty()) {
    if (a[2].empty() && a[4].empty())
      cmp = 0;
    else
      cmp = (a[2].empty() ? -1 : 1) * (nl ? -1 : 1);
  } else {
    auto x = debian::Version::parse(a[2]);
    auto y = debian::Version::parse(a[4]);
    if (!x.ok() || !y.ok()) return Tri::kUnknown;
    cmp = debian::compare(x.value(), y.value());
  }
  if (op == "lt" || op == "<<") return cmp < 0 ? Tri::kTrue : Tri::kFalse;
  if (op == "le" || op == "<=") return cmp <= 0 ? Tri::kTrue : Tri::kFalse;
  if (op == "eq" || op == "=") return cmp == 0 ? Tri::kTrue : Tri::kFalse;
  if (op == "ne") return cmp != 0 ? Tri::kTrue : Tri::kFalse;
  if (op == "ge" || op == ">=") return cmp >= 0 ? Tri::kTrue : Tri::kFalse;
  if (op == "gt" || op == ">>") return cmp > 0 ? Tri::kTrue : Tri::kFalse;
  return Tri::kUnknown;
}

bool is_python_compile(const Args& a) {
  std::string cmd = base_name(a[0]);
  if (cmd == "py3compile" || cmd == "pycompile") return true;
  if (!cmd.starts_with("python")) return false;
  for (const auto& w : a)
    if (w.ends_with("/py_compile.py") || w == "py_compile" || w == "compileall" ||
        w.ends_with("/compileall.py"))
      return true;
  return false;
}

}  // namespace

bool has_no_effect(const Args& a) {
  if (a.empty()) return true;
  std::string cmd = base_name(a[0]);
  if (kNoEffect.count(cmd)) {
    if (cmd == "sed")
      return std::none_of(a.begin(), a.end(), [](const std::string& w) {
        return w == "-i" || w.starts_with("--in-place") || (w.starts_with("-i") && w.size() > 2);
      });
    return true;
  }
  if (cmd == "dpkg") return dpkg_reads(a);
  if (cmd == "find")
    return std::none_of(a.begin(), a.end(), [](const std::string& w) {
      return w == "-delete" || w == "-exec" || w == "-execdir" || w == "-ok" || w == "-fprint";
    });
  if (cmd == "update-alternatives")
    return a.size() > 1 && (a[1] == "--list" || a[1] == "--query" || a[1] == "--display" ||
                            a[1] == "--get-selections");
  return false;
}

ScriptCommands::ScriptCommands(Tree& tree, AccountTable& accounts, WantedEffects& wanted,
                               std::string arch)
    : tree_(tree), accounts_(accounts), wanted_(wanted), arch_(std::move(arch)) {}

char ScriptCommands::file_type(std::string_view path, bool follow) const {
  if (!follow) {
    auto placed = tree_.place(path);
    const oci::FsEntry* e = placed ? tree_.find(*placed) : nullptr;
    if (e && e->type == oci::EntryType::kSymlink) return 'l';
  }
  const oci::FsEntry* e = tree_.find_resolved(path);
  if (!e) return tree_path(path).empty() ? 'd' : 0;
  return e->type == oci::EntryType::kDirectory ? 'd' : 'f';
}

ShellContext ScriptCommands::context(std::string_view package, std::string_view script) const {
  ShellContext c;
  c.args = script == "preinst" ? Args{"install"} : Args{"configure", ""};
  c.env = {{"DPKG_MAINTSCRIPT_ARCH", arch_},
           {"DPKG_MAINTSCRIPT_PACKAGE", std::string(package)},
           {"DPKG_MAINTSCRIPT_NAME", std::string(script)},
           {"DPKG_ROOT", ""},
           {"DPKG_ADMINDIR", "/var/lib/dpkg"},
           {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}};
  c.file_type = [this](std::string_view p, bool follow) { return file_type(p, follow); };
  c.executable = [this](std::string_view p) {
    const oci::FsEntry* e = tree_.find_resolved(p);
    return e && e->type == oci::EntryType::kRegular && (e->mode & 0111) != 0;
  };
  c.glob = [this](std::string_view pattern) {
    Args out;
    std::string pat = tree_path(pattern);
    auto slash = pat.rfind('/');
    std::string dir = slash == std::string::npos ? "" : pat.substr(0, slash);
    if (dir.find_first_of("*?[") != std::string::npos) return out;  // one level only
    auto resolved = tree_.resolve(dir);
    if (!resolved) return out;
    std::string name_pat = pat.substr(slash == std::string::npos ? 0 : slash + 1);
    for (const auto& name : tree_.children(*resolved))
      if (fnmatch(name_pat.c_str(), name.c_str(), FNM_PERIOD) == 0)
        out.push_back("/" + (dir.empty() ? name : dir + "/" + name));
    return out;
  };
  c.status = [this](const Invocation& inv) { return status(inv); };
  c.output = [this](const Args& argv) { return output(argv); };
  return c;
}

Tri ScriptCommands::status(const Invocation& inv) const {
  const Args& a = inv.argv;
  if (!inv.complete || a.empty()) return Tri::kUnknown;
  std::string cmd = base_name(a[0]);
  if (cmd == "dpkg" && a.size() > 1 && a[1] == "--compare-versions") return compare_versions(a);
  if (cmd == "getent" && a.size() == 3) {
    if (a[1] == "passwd") return accounts_.user(a[2]) ? Tri::kTrue : Tri::kFalse;
    if (a[1] == "group") return accounts_.group(a[2]) ? Tri::kTrue : Tri::kFalse;
  }
  if (cmd == "id" && a.size() >= 2) return accounts_.user(a.back()) ? Tri::kTrue : Tri::kFalse;
  // A fresh system has only the overrides this build recorded.
  if (cmd == "dpkg-statoverride" && a.size() == 3 && a[1] == "--list") {
    std::string suffix = " " + a[2] + "\n";
    return std::any_of(wanted_.statoverrides.begin(), wanted_.statoverrides.end(),
                       [&](const std::string& l) { return l.ends_with(suffix); })
               ? Tri::kTrue
               : Tri::kFalse;
  }
  if (cmd == "echo" || cmd == "printf" || cmd.starts_with("db_") || cmd == "dpkg-trigger")
    return Tri::kTrue;
  if (has_no_effect(a)) return Tri::kUnknown;  // a read: its answer depends on the system
  return Tri::kTrue;                           // a change: the install it models succeeded
}

std::optional<std::string> ScriptCommands::output(const Args& a) const {
  if (a == Args{"dpkg", "--print-architecture"}) return arch_;
  if (a.size() == 2 && a[0] == "dpkg-architecture" &&
      (a[1] == "-qDEB_HOST_MULTIARCH" || a[1] == "-qDEB_BUILD_MULTIARCH"))
    return debian::multiarch_triplet(arch_);
  if (a.size() == 2 && a[0] == "dpkg-architecture" && a[1] == "-qDEB_HOST_ARCH") return arch_;
  return std::nullopt;
}

ScriptStep ScriptCommands::apply(const Invocation& inv, std::string_view script) {
  ScriptStep step;
  step.script = std::string(script);
  step.line = inv.line;
  step.command = core::join(inv.argv, " ");
  for (const auto& w : inv.writes) step.command += " > " + w;
  Outcome o;
  if (is_python_compile(inv.argv)) {
    // The whole image is compiled once, whatever this call's words or path.
    wanted_.python_bytecode = true;
    o = {StepOutcome::kReproduced,
         "byte-compiled for the whole image by its interpreter, at Debian's default level"};
  } else if (!inv.writes.empty()) {
    o = write_redirect(inv);
  } else if (has_no_effect(inv.argv)) {
    o = {StepOutcome::kNoEffect, "reads or prints only, or acts on services, debconf or upgrades"};
  } else if (inv.in_substitution && (!inv.complete || !inv.certain)) {
    // Maintainer scripts capture output with $(...) (dpkg -L | sed | $filter):
    // a command whose output is read is taken to leave nothing behind.
    o = {StepOutcome::kNoEffect, "inside $(...): its output is read"};
  } else if (!inv.certain) {
    o = {StepOutcome::kUnhandled, "runs only on a condition the reading cannot decide"};
  } else if (!inv.complete) {
    o = {StepOutcome::kUnhandled, "its words are known only when the script runs"};
  } else {
    o = run(inv.argv, inv);
  }
  step.outcome = o.outcome;
  step.note = std::move(o.note);
  return step;
}

ScriptCommands::Outcome ScriptCommands::run(const Args& argv, const Invocation& inv) {
  std::string cmd = base_name(argv[0]);
  Args args(argv.begin() + 1, argv.end());
  if (cmd == "ldconfig") {
    wanted_.ldconfig = true;
    return {StepOutcome::kReproduced, "ld.so.cache written natively"};
  }
  if (cmd == "iconvconfig") {
    wanted_.iconvconfig = true;
    return {StepOutcome::kReproduced, "gconv-modules.cache checked"};
  }
  if (cmd == "update-ca-certificates") {
    wanted_.ca_bundle = true;
    return {StepOutcome::kReproduced, "CA bundle written natively"};
  }
  if (is_python_compile(argv)) {
    wanted_.python_bytecode = true;
    return {StepOutcome::kReproduced, "byte-compiled with the image's interpreter"};
  }
  if (cmd == "update-alternatives") return alternatives(args);
  if (cmd == "systemd-sysusers")
    return {StepOutcome::kReproduced, "sysusers.d files applied for the whole image"};
  if (cmd == "adduser" || cmd == "addgroup") return adduser(cmd, args);
  if (cmd == "useradd" || cmd == "groupadd") return useradd(cmd, args);
  if (cmd == "dpkg-divert") return divert(args);
  if (cmd == "dpkg-statoverride") return statoverride(args);
  if (cmd == "." || cmd == "source") {
    if (!args.empty() && args[0] == "/usr/share/debconf/confmodule")
      return {StepOutcome::kNoEffect, "debconf: an image keeps no answers"};
    return {StepOutcome::kUnhandled, "sources another script"};
  }
  (void)inv;
  return file_command(cmd, args);
}

ScriptCommands::Outcome ScriptCommands::file_command(const std::string& cmd, const Args& args) {
  if (cmd == "mkdir") return mkdir(args, false);
  if (cmd == "install") return mkdir(args, true);
  if (cmd == "chmod" || cmd == "chown" || cmd == "chgrp") return chmod_chown(cmd, args);
  if (cmd == "ln") return ln(args);
  if (cmd == "rm") return rm(args, false);
  if (cmd == "rmdir") return rm(args, true);
  if (cmd == "cp" || cmd == "mv") return cp_mv(cmd, args);
  if (cmd == "touch") return touch(args);
  return {StepOutcome::kUnhandled, "a command the effects do not know"};
}

ScriptCommands::Outcome ScriptCommands::write_redirect(const Invocation& inv) {
  if (!inv.certain || !inv.complete)
    return {StepOutcome::kUnhandled, "writes a file on a path the reading cannot decide"};
  if (inv.writes.size() != 1 || inv.writes[0] == "?")
    return {StepOutcome::kUnhandled, "writes a file the reading cannot name"};
  std::string content;
  std::string cmd = base_name(inv.argv[0]);
  if (cmd == ":" || cmd == "true")
    content = "";
  else if (cmd == "cat" && inv.argv.size() == 1)
    content = inv.heredoc;
  else if (cmd == "echo" && (inv.argv.size() < 2 || !inv.argv[1].starts_with("-")))
    content = core::join(Args(inv.argv.begin() + 1, inv.argv.end()), " ") + "\n";
  else
    return {StepOutcome::kUnhandled, "writes a file with a command's output"};
  auto placed = tree_.place(inv.writes[0]);
  if (!placed) return {StepOutcome::kUnhandled, "its folder is not in the image"};
  const oci::FsEntry* existing = tree_.find(*placed);
  if (existing && existing->type != oci::EntryType::kRegular)
    return {StepOutcome::kUnhandled, "the target is not a regular file"};
  oci::FsEntry file = oci::FsEntry::file(*placed, std::move(content));
  if (existing) {
    file.mode = existing->mode;
    file.uid = existing->uid;
    file.gid = existing->gid;
  }
  tree_.put(std::move(file));
  return {StepOutcome::kReproduced, "wrote /" + *placed};
}

ScriptCommands::Outcome ScriptCommands::mkdir(const Args& args, bool install_d) {
  Parsed p = parse_args(args, install_d ? "mog" : "m");
  if (p.bad || p.operands.empty()) return {StepOutcome::kUnhandled, "arguments not understood"};
  if (install_d && !has_flag(p, 'd'))
    return {StepOutcome::kUnhandled, "install copies files: not reproduced"};
  uint32_t mode = 0755;
  if (p.mode) {
    auto m = octal_mode(*p.mode);
    if (!m) return {StepOutcome::kUnhandled, "mode " + *p.mode + " is not octal"};
    mode = *m;
  }
  uint32_t uid = 0, gid = 0;
  if (p.owner) {
    auto u = accounts_.uid_of(*p.owner);
    if (!u) return {StepOutcome::kUnhandled, "no user " + *p.owner};
    uid = *u;
  }
  if (p.group) {
    auto g = accounts_.gid_of(*p.group);
    if (!g) return {StepOutcome::kUnhandled, "no group " + *p.group};
    gid = *g;
  }
  bool parents = install_d || has_flag(p, 'p');
  for (const auto& path : p.operands) {
    if (!path.starts_with("/")) return {StepOutcome::kUnhandled, "a relative path"};
    if (file_type(path, true) == 'd') continue;
    if (parents) make_parents(tree_, tree_path(path));
    auto placed = tree_.place(path);
    if (!placed) return {StepOutcome::kUnhandled, "the parent of " + path + " is missing"};
    if (tree_.contains(*placed)) return {StepOutcome::kUnhandled, path + " exists, not a folder"};
    oci::FsEntry dir = oci::FsEntry::directory(*placed, mode);
    dir.uid = uid;
    dir.gid = gid;
    tree_.put(std::move(dir));
  }
  return {StepOutcome::kReproduced, "made " + core::join(p.operands, ", ")};
}

ScriptCommands::Outcome ScriptCommands::chmod_chown(const std::string& cmd, const Args& args) {
  Parsed p = parse_args(args, "");
  if (has_flag(p, 'R') || !p.long_opts.empty() || p.operands.size() < 2)
    return {StepOutcome::kUnhandled, "arguments not understood"};
  const std::string& spec = p.operands[0];
  std::optional<uint32_t> mode, uid, gid;
  if (cmd == "chmod") {
    mode = octal_mode(spec);
    if (!mode) return {StepOutcome::kUnhandled, "symbolic modes are not reproduced"};
  } else if (cmd == "chgrp") {
    gid = accounts_.gid_of(spec);
    if (!gid) return {StepOutcome::kUnhandled, "no group " + spec};
  } else {
    auto sep = spec.find_first_of(":.");
    std::string user = spec.substr(0, sep);
    if (!user.empty() && !(uid = accounts_.uid_of(user)))
      return {StepOutcome::kUnhandled, "no user " + user};
    if (sep != std::string::npos && sep + 1 < spec.size() &&
        !(gid = accounts_.gid_of(spec.substr(sep + 1))))
      return {StepOutcome::kUnhandled, "no group " + spec.substr(sep + 1)};
  }
  for (size_t i = 1; i < p.operands.size(); ++i) {
    auto resolved = tree_.resolve(p.operands[i]);
    const oci::FsEntry* e = resolved ? tree_.find(*resolved) : nullptr;
    if (!e) return {StepOutcome::kUnhandled, p.operands[i] + " is not in the image"};
    oci::FsEntry copy = *e;
    if (mode) copy.mode = *mode;
    if (uid) copy.uid = *uid;
    if (gid) copy.gid = *gid;
    tree_.put(std::move(copy));
  }
  return {StepOutcome::kReproduced, cmd + " " + spec};
}

ScriptCommands::Outcome ScriptCommands::ln(const Args& args) {
  Parsed p = parse_args(args, "");
  if (!has_flag(p, 's')) return {StepOutcome::kUnhandled, "hard links are not reproduced"};
  if (p.operands.size() != 2 || !p.long_opts.empty())
    return {StepOutcome::kUnhandled, "arguments not understood"};
  const std::string& target = p.operands[0];
  std::string link = p.operands[1];
  if (!link.starts_with("/")) return {StepOutcome::kUnhandled, "a relative link name"};
  bool no_deref = has_flag(p, 'n') || has_flag(p, 'T');
  if (!no_deref && file_type(link, true) == 'd') link += "/" + base_name(target);
  auto placed = tree_.place(link);
  if (!placed) return {StepOutcome::kUnhandled, "the folder of " + link + " is missing"};
  const oci::FsEntry* existing = tree_.find(*placed);
  if (existing && (!has_flag(p, 'f') || existing->type == oci::EntryType::kDirectory))
    return {StepOutcome::kUnhandled, link + " exists"};
  tree_.put(oci::FsEntry::symlink(*placed, target));
  return {StepOutcome::kReproduced, "/" + *placed + " -> " + target};
}

ScriptCommands::Outcome ScriptCommands::rm(const Args& args, bool rmdir) {
  Parsed p = parse_args(args, "");
  bool recursive = has_flag(p, 'r') || has_flag(p, 'R');
  for (const auto& path : p.operands) {
    auto placed = tree_.place(path);
    const oci::FsEntry* e = placed ? tree_.find(*placed) : nullptr;
    if (!e) {
      if (rmdir || has_flag(p, 'f')) continue;
      return {StepOutcome::kUnhandled, path + " is not in the image"};
    }
    bool has_children = !tree_.children(*placed).empty();
    if (e->type == oci::EntryType::kDirectory && has_children) {
      if (rmdir) continue;  // --ignore-fail-on-non-empty, or a failure set -e would stop on
      if (!recursive) return {StepOutcome::kUnhandled, path + " is a folder"};
      std::vector<std::string> below;
      tree_.for_each_under(*placed, [&below](const oci::FsEntry& x) { below.push_back(x.path); });
      for (const auto& b : below) tree_.remove(b);
    }
    if (e->type == oci::EntryType::kDirectory && !rmdir && !recursive)
      return {StepOutcome::kUnhandled, path + " is a folder"};
    if (rmdir && e->type != oci::EntryType::kDirectory)
      return {StepOutcome::kUnhandled, path + " is not a folder"};
    tree_.remove(*placed);
  }
  return {StepOutcome::kReproduced, "removed " + core::join(p.operands, ", ")};
}

ScriptCommands::Outcome ScriptCommands::cp_mv(const std::string& cmd, const Args& args) {
  Parsed p = parse_args(args, "");
  if (p.operands.size() != 2 || has_flag(p, 'r') || has_flag(p, 'R') || has_flag(p, 'a'))
    return {StepOutcome::kUnhandled, "only one file to one place is reproduced"};
  auto from = tree_.place(p.operands[0]);
  const oci::FsEntry* src = from ? tree_.find(*from) : nullptr;
  if (!src || src->type == oci::EntryType::kDirectory)
    return {StepOutcome::kUnhandled, p.operands[0] + " is not a file in the image"};
  std::string dest = p.operands[1];
  if (file_type(dest, true) == 'd') dest += "/" + base_name(p.operands[0]);
  auto to = tree_.place(dest);
  if (!to) return {StepOutcome::kUnhandled, "the folder of " + dest + " is missing"};
  oci::FsEntry copy = *src;
  copy.path = *to;
  if (cmd == "cp" && !has_flag(p, 'p')) {
    copy.uid = 0;
    copy.gid = 0;
  }
  if (cmd == "mv") tree_.remove(*from);
  tree_.put(std::move(copy));
  return {StepOutcome::kReproduced, p.operands[0] + " -> /" + *to};
}

ScriptCommands::Outcome ScriptCommands::touch(const Args& args) {
  Parsed p = parse_args(args, "");
  for (const auto& path : p.operands) {
    if (file_type(path, true) != 0) continue;
    auto placed = tree_.place(path);
    if (!placed) return {StepOutcome::kUnhandled, "the folder of " + path + " is missing"};
    tree_.put(oci::FsEntry::file(*placed, ""));
  }
  return {StepOutcome::kReproduced, "made " + core::join(p.operands, ", ")};
}

ScriptCommands::Outcome ScriptCommands::adduser(const std::string& cmd, const Args& args) {
  UserRequest r;
  bool system = false, group_only = cmd == "addgroup", with_group = false;
  std::optional<uint32_t> gid;
  Args names;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    if (a == "--system")
      system = true;
    else if (a == "--group")
      with_group = true;
    else if (a == "--no-create-home")
      r.create_home = false;
    else if (a == "--quiet" || a == "-q" || a == "--disabled-password" || a == "--disabled-login" ||
             a == "--force-badname" || a == "--allow-bad-names")
      continue;
    else if (a == "--home" && value(v))
      r.home = v, r.create_home = true;
    else if (a == "--shell" && value(v))
      r.shell = v;
    else if ((a == "--gecos" || a == "--comment") && value(v))
      r.gecos = v;
    else if (a == "--ingroup" && value(v))
      r.group = v;
    else if (a == "--uid" && value(v))
      r.uid = accounts_.uid_of(v);
    else if (a == "--gid" && value(v))
      gid = accounts_.gid_of(v);
    else if (a.starts_with("-"))
      return {StepOutcome::kUnhandled, "option " + a + " not known"};
    else
      names.push_back(a);
  }
  if (!system) return {StepOutcome::kUnhandled, "only system accounts are reproduced"};
  if (group_only) {
    if (names.size() != 1) return {StepOutcome::kUnhandled, "one group name expected"};
    auto made = accounts_.add_system_group(names[0], gid);
    if (!made.ok()) return {StepOutcome::kUnhandled, made.error().message()};
    return {StepOutcome::kReproduced, "group " + names[0]};
  }
  if (names.size() == 2) {  // adduser USER GROUP: a membership
    auto added = accounts_.add_member(names[1], names[0]);
    if (!added.ok()) return {StepOutcome::kUnhandled, added.error().message()};
    return {StepOutcome::kReproduced, names[0] + " joins " + names[1]};
  }
  if (names.size() != 1) return {StepOutcome::kUnhandled, "one user name expected"};
  r.name = names[0];
  r.own_group = with_group;
  r.gid = gid;
  auto added = accounts_.add_system_user(r);
  if (!added.ok()) return {StepOutcome::kUnhandled, added.error().message()};
  return {StepOutcome::kReproduced, "user " + r.name};
}

ScriptCommands::Outcome ScriptCommands::useradd(const std::string& cmd, const Args& args) {
  UserRequest r;
  std::optional<uint32_t> gid;
  bool system = false;
  Args names;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "-r" || a == "--system")
      system = true;
    else if (a == "-M" || a == "--no-create-home" || a == "-N" || a == "--no-user-group")
      continue;
    else if (a == "-m" || a == "--create-home")
      r.create_home = true;
    else if (a == "-U" || a == "--user-group")
      r.own_group = true;
    else if (a == "-u" || a == "--uid")
      r.uid = accounts_.uid_of(next().value_or(""));
    else if (a == "-g" || a == "--gid") {
      std::string g = next().value_or("");
      if (cmd == "groupadd")
        gid = accounts_.gid_of(g);
      else
        r.group = g;
    } else if (a == "-d" || a == "--home-dir")
      r.home = next().value_or("");
    else if (a == "-s" || a == "--shell")
      r.shell = next().value_or("");
    else if (a == "-c" || a == "--comment")
      r.gecos = next().value_or("");
    else if (a.starts_with("-"))
      return {StepOutcome::kUnhandled, "option " + a + " not known"};
    else
      names.push_back(a);
  }
  if (!system) return {StepOutcome::kUnhandled, "only system accounts are reproduced"};
  if (names.size() != 1) return {StepOutcome::kUnhandled, "one name expected"};
  if (cmd == "groupadd") {
    auto made = accounts_.add_system_group(names[0], gid);
    if (!made.ok()) return {StepOutcome::kUnhandled, made.error().message()};
    return {StepOutcome::kReproduced, "group " + names[0]};
  }
  r.name = names[0];
  auto added = accounts_.add_system_user(r);
  if (!added.ok()) return {StepOutcome::kUnhandled, added.error().message()};
  return {StepOutcome::kReproduced, "user " + r.name};
}

ScriptCommands::Outcome ScriptCommands::divert(const Args& args) {
  std::string divert_to, package;
  bool add = false, rename = false;
  Args paths;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--add")
      add = true;
    else if (a == "--rename")
      rename = true;
    else if (a == "--no-rename" || a == "--quiet" || a == "--local")
      continue;
    else if (a == "--divert" && i + 1 < args.size())
      divert_to = args[++i];
    else if (a == "--package" && i + 1 < args.size())
      package = args[++i];
    else if (a == "--list" || a == "--listpackage" || a == "--truename")
      return {StepOutcome::kNoEffect, "reads the diversions"};
    else if (a == "--remove")
      return {StepOutcome::kNoEffect, "removes a diversion: upgrades only"};
    else if (a.starts_with("-"))
      return {StepOutcome::kUnhandled, "option " + a + " not known"};
    else
      paths.push_back(a);
  }
  if (paths.size() != 1 || !paths[0].starts_with("/"))
    return {StepOutcome::kUnhandled, "one absolute path expected"};
  (void)add;  // --add is the default action
  if (divert_to.empty()) divert_to = paths[0] + ".distrib";
  auto from = tree_.place(paths[0]);
  auto to = tree_.place(divert_to);
  if (!from || !to) return {StepOutcome::kUnhandled, "a folder of the diversion is missing"};
  if (rename && tree_.contains(*from)) {
    oci::FsEntry moved = *tree_.find(*from);
    moved.path = *to;
    tree_.remove(*from);
    tree_.put(std::move(moved));
  }
  wanted_.diversions.push_back(paths[0] + "\n" + divert_to + "\n" +
                               (package.empty() ? ":" : package) + "\n");
  return {StepOutcome::kReproduced, paths[0] + " diverted to " + divert_to};
}

ScriptCommands::Outcome ScriptCommands::statoverride(const Args& args) {
  Args rest;
  bool add = false;
  for (const auto& a : args) {
    if (a == "--add")
      add = true;
    else if (a == "--list")
      return {StepOutcome::kNoEffect, "reads the overrides"};
    else if (a == "--remove")
      return {StepOutcome::kNoEffect, "removes an override: upgrades only"};
    else if (a == "--update" || a == "--quiet" || a == "--force")
      continue;
    else if (a.starts_with("--"))
      return {StepOutcome::kUnhandled, "option " + a + " not known"};
    else
      rest.push_back(a);
  }
  if (!add || rest.size() != 4) return {StepOutcome::kUnhandled, "USER GROUP MODE PATH expected"};
  auto uid = accounts_.uid_of(rest[0]);
  auto gid = accounts_.gid_of(rest[1]);
  auto mode = octal_mode(rest[2]);
  if (!uid || !gid || !mode) return {StepOutcome::kUnhandled, "owner or mode not known"};
  auto resolved = tree_.resolve(rest[3]);
  if (resolved && tree_.contains(*resolved)) {
    oci::FsEntry e = *tree_.find(*resolved);
    e.uid = *uid;
    e.gid = *gid;
    // The image keeps no setuid/setgid bits (the distroless rule Rootfs applies).
    e.mode = *mode & ~06000u;
    tree_.put(std::move(e));
  }
  wanted_.statoverrides.push_back(core::join(rest, " ") + "\n");
  return {StepOutcome::kReproduced, "owner and mode of " + rest[3]};
}

ScriptCommands::Outcome ScriptCommands::alternatives(const Args& args) {
  bool install = std::find(args.begin(), args.end(), "--install") != args.end();
  if (!install) {
    if (!args.empty() && (args[0] == "--remove" || args[0] == "--remove-all"))
      return {StepOutcome::kNoEffect, "removes an alternative: upgrades and removals only"};
    if (!args.empty() && args[0] == "--auto")
      return {StepOutcome::kNoEffect, "automatic mode is the choice the build makes"};
    return {StepOutcome::kUnhandled, "only --install is reproduced"};
  }
  auto alt = parse_alternative_install(args);
  if (!alt.ok()) return {StepOutcome::kUnhandled, alt.error().message()};
  std::string note = alt.value().name + " -> " + alt.value().path;
  wanted_.alternatives.add(std::move(alt.value()));
  return {StepOutcome::kReproduced, "alternative " + note};
}

}  // namespace distill::effects
