#include "effects/maintainer_scripts.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/lines.hpp"
#include "core/strings.hpp"
#include "effects/accounts.hpp"
#include "effects/image_effects.hpp"
#include "effects/script_commands.hpp"
#include "effects/shell_reader.hpp"

namespace distill::effects {
namespace {

// dpkg runs these on a fresh install; prerm and postrm never run then, and
// `config` only asks debconf questions.
constexpr const char* kInstallScripts[] = {"preinst", "postinst"};

void read_script(const PackageScripts& pkg, const std::string& name, ScriptCommands& commands,
                 PackageEffects& out) {
  auto text = pkg.text.find(name);
  if (text == pkg.text.end()) {
    out.steps.push_back({name, 0, "", StepOutcome::kUnhandled,
                         "the script is a symbolic link in the package: not read"});
    return;
  }
  ShellReading reading = read_shell(text->second, commands.context(pkg.name, name));
  if (!reading.error.empty()) {
    out.steps.push_back({name, 0, "", StepOutcome::kUnhandled,
                         "shell syntax the reader does not know (" + reading.error + ")"});
    return;
  }
  for (const auto& inv : reading.invocations) out.steps.push_back(commands.apply(inv, name));
}

// The triggers control file: "activate" asks for a system-wide step (ldconfig),
// "interest" says the package's postinst handles one.
void read_triggers(const PackageScripts& pkg, WantedEffects& wanted, PackageEffects& out) {
  auto text = pkg.text.find("triggers");
  if (text == pkg.text.end()) return;
  int line_no = 0;
  for (std::string_view line : core::lines(text->second)) {
    ++line_no;
    auto words = core::split_words(line);
    if (words.empty() || words[0].starts_with("#")) continue;
    ScriptStep step{"triggers", line_no, std::string(line), StepOutcome::kUnhandled,
                    "a trigger the effects do not know"};
    const std::string& name = words.size() > 1 ? words[1] : words[0];
    bool activate = words[0].starts_with("activate");
    if (name == "ldconfig" && activate) {
      wanted.ldconfig = true;
      step = {"triggers", line_no, std::string(line), StepOutcome::kReproduced,
              "ld.so.cache written natively"};
    } else if (name.starts_with("update-ca-certificates-java")) {
      wanted.java_truststore = true;
      step.outcome = StepOutcome::kReproduced;
      step.note = "Java truststore written natively";
    } else if (name.starts_with("update-ca-certificates")) {
      wanted.ca_bundle = true;
      step.outcome = StepOutcome::kReproduced;
      step.note = "CA bundle written natively";
    } else if (!activate && name.starts_with("/")) {
      step.note =
          "a file trigger: the caches the package's postinst builds from " + name + " are not made";
    }
    out.steps.push_back(std::move(step));
  }
}

// sysusers.d files declare accounts that systemd-sysusers makes at boot or
// at install; a container boots no systemd, so they are made here.
void apply_sysusers(const Tree& tree, AccountTable& accounts, EffectsReport& report) {
  for (const auto& name : tree.children("usr/lib/sysusers.d")) {
    const oci::FsEntry* e = tree.find("usr/lib/sysusers.d/" + name);
    if (!name.ends_with(".conf") || !e || e->type != oci::EntryType::kRegular) continue;
    auto text = read_entry(*e, 1 << 20);
    if (!text.ok()) continue;
    SysusersFile f = parse_sysusers(*text);
    std::vector<std::string> problems = f.unhandled;
    for (const auto& [group, gid] : f.groups)
      if (auto g = accounts.add_system_group(group, gid); !g.ok())
        problems.push_back(g.error().message());
    for (const auto& u : f.users)
      if (auto s = accounts.add_system_user(u); !s.ok()) problems.push_back(s.error().message());
    for (const auto& [user, group] : f.members)
      if (auto s = accounts.add_member(group, user); !s.ok())
        problems.push_back(s.error().message());
    std::string line = "sysusers.d/" + name + ": accounts made";
    if (!problems.empty()) line += " (not made: " + core::join(problems, "; ") + ")";
    report.applied.push_back(line);
  }
}

std::string joined_lines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += i;
  return out;
}

void write_dpkg_records(Tree& tree, const WantedEffects& wanted) {
  if (!wanted.diversions.empty())
    tree.put(oci::FsEntry::file("var/lib/dpkg/diversions", joined_lines(wanted.diversions)));
  if (!wanted.statoverrides.empty())
    tree.put(oci::FsEntry::file("var/lib/dpkg/statoverride", joined_lines(wanted.statoverrides)));
}

}  // namespace

core::Result<EffectsReport> apply_maintainer_effects(Tree& tree,
                                                     const std::vector<PackageScripts>& packages,
                                                     const EffectsOptions& options) {
  EffectsReport report;
  DISTILL_ASSIGN(AccountTable accounts, AccountTable::read(tree));
  const AccountTable before = accounts;
  WantedEffects wanted;
  ScriptCommands commands(tree, accounts, wanted, options.arch);
  for (const auto& pkg : packages) {
    if (pkg.scripts.empty()) continue;
    PackageEffects out;
    out.package = pkg.name;
    out.scripts = pkg.scripts;
    out.acknowledged = options.acknowledged.count(pkg.name) != 0;
    report.packages.push_back(std::move(out));
  }
  // dpkg unpacks every package (running its preinst) before it configures
  // any (running postinst), and configures in dependency order, which the
  // install order follows.
  for (const char* script : kInstallScripts) {
    size_t i = 0;
    for (const auto& pkg : packages) {
      if (pkg.scripts.empty()) continue;
      PackageEffects& out = report.packages[i++];
      if (std::find(pkg.scripts.begin(), pkg.scripts.end(), script) != pkg.scripts.end())
        read_script(pkg, script, commands, out);
    }
  }
  size_t i = 0;
  for (const auto& pkg : packages)
    if (!pkg.scripts.empty()) read_triggers(pkg, wanted, report.packages[i++]);

  apply_sysusers(tree, accounts, report);
  if (!(accounts.users() == before.users() && accounts.groups() == before.groups())) {
    accounts.write(tree);
    report.applied.push_back(fmt::format("accounts: {} users, {} groups", accounts.users().size(),
                                         accounts.groups().size()));
  }
  write_dpkg_records(tree, wanted);
  for (const auto& line : wanted.alternatives.apply(tree))
    report.applied.push_back("alternative " + line);
  DISTILL_TRY(apply_image_effects(tree, wanted, options, report));
  return report;
}

}  // namespace distill::effects
