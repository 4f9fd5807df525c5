#include "effects/maintainer_scripts.hpp"

#include <gtest/gtest.h>

#include "effects/accounts.hpp"
#include "effects/alternatives.hpp"

namespace distill::effects {
namespace {

// A small merged-/usr root with the generated passwd and group files.
Tree base_tree() {
  Tree t;
  for (const char* d :
       {"etc", "usr", "usr/bin", "usr/lib", "usr/sbin", "var", "var/lib", "var/lib/dpkg", "home"})
    t.put(oci::FsEntry::directory(d));
  t.put(oci::FsEntry::symlink("bin", "usr/bin"));
  t.put(oci::FsEntry::symlink("sbin", "usr/sbin"));
  t.put(oci::FsEntry::file("etc/passwd",
                           "root:x:0:0:root:/root:/sbin/nologin\n"
                           "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"));
  t.put(oci::FsEntry::file("etc/group", "root:x:0:\nnogroup:x:65534:\n"));
  return t;
}

PackageScripts package(std::string name, std::string postinst, std::string preinst = {},
                       std::string triggers = {}) {
  PackageScripts p;
  p.name = std::move(name);
  if (!preinst.empty()) {
    p.scripts.push_back("preinst");
    p.text["preinst"] = std::move(preinst);
  }
  if (!postinst.empty()) {
    p.scripts.push_back("postinst");
    p.text["postinst"] = std::move(postinst);
  }
  if (!triggers.empty()) {
    p.scripts.push_back("triggers");
    p.text["triggers"] = std::move(triggers);
  }
  return p;
}

EffectsOptions options() {
  EffectsOptions o;
  o.arch = "amd64";
  o.python_bytecode = false;
  return o;
}

const PackageEffects& effects_of(const EffectsReport& r, const std::string& name) {
  for (const auto& p : r.packages)
    if (p.package == name) return p;
  static PackageEffects none;
  ADD_FAILURE() << "no report for " << name;
  return none;
}

TEST(MaintainerEffects, HighestPriorityAlternativeWinsWithItsSlaves) {
  Tree t = base_tree();
  t.put(oci::FsEntry::file("usr/bin/mawk", "m", 0755));
  t.put(oci::FsEntry::file("usr/bin/gawk", "g", 0755));
  const char* mawk =
      "#!/bin/sh\nset -e\nif [ \"$1\" = configure ]; then\n"
      "  update-alternatives --install /usr/bin/awk awk /usr/bin/mawk 5 \\\n"
      "    --slave /usr/share/man/man1/awk.1.gz awk.1.gz /usr/share/man/man1/mawk.1.gz \\\n"
      "    --slave /usr/bin/nawk nawk /usr/bin/mawk\nfi\n";
  const char* gawk =
      "update-alternatives --install /usr/bin/awk awk /usr/bin/gawk 10 "
      "--slave /usr/bin/nawk nawk /usr/bin/gawk\n";
  auto r = apply_maintainer_effects(t, {package("mawk", mawk), package("gawk", gawk)}, options());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(t.find("usr/bin/awk")->link_target, "/etc/alternatives/awk");
  EXPECT_EQ(t.find("etc/alternatives/awk")->link_target, "/usr/bin/gawk");
  EXPECT_EQ(t.find("usr/bin/nawk")->link_target, "/etc/alternatives/nawk");
  EXPECT_EQ(t.find("etc/alternatives/nawk")->link_target, "/usr/bin/gawk");
  // The manual page was trimmed: its slave is not linked.
  EXPECT_EQ(t.find("usr/share/man/man1/awk.1.gz"), nullptr);
  EXPECT_NE(t.find("var/lib/dpkg/alternatives/awk"), nullptr);
  EXPECT_EQ(effects_of(*r, "mawk").count(StepOutcome::kUnhandled), 0u);
  EXPECT_TRUE(r->unhandled_packages().empty());
}

TEST(MaintainerEffects, SystemUsersAndGroupsGetTheFirstFreeSystemIds) {
  Tree t = base_tree();
  const char* postinst =
      "if ! getent passwd _apt >/dev/null; then\n"
      "  adduser --force-badname --system --home /nonexistent --no-create-home --quiet _apt\n"
      "fi\n"
      "addgroup --system --quiet messagebus\n"
      "adduser --system --group --home /var/lib/svc svc\n"
      "useradd -r -M -s /usr/sbin/nologin -g messagebus msg\n"
      "groupadd -r -g 150 fixed\n";
  auto r = apply_maintainer_effects(t, {package("accounts", postinst)}, options());
  ASSERT_TRUE(r.ok()) << r.error().message();
  auto table = AccountTable::read(t);
  ASSERT_TRUE(table.ok());
  ASSERT_NE(table->user("_apt"), nullptr);
  EXPECT_EQ(table->user("_apt")->uid, 100u);
  EXPECT_EQ(table->user("_apt")->gid, 65534u);
  EXPECT_EQ(table->user("_apt")->shell, kNologin);
  EXPECT_EQ(table->group("messagebus")->gid, 100u);
  EXPECT_EQ(table->user("svc")->uid, 101u);
  EXPECT_EQ(table->group("svc")->gid, 101u);
  EXPECT_EQ(table->user("msg")->gid, 100u);
  EXPECT_EQ(table->group("fixed")->gid, 150u);
  EXPECT_EQ(effects_of(*r, "accounts").count(StepOutcome::kUnhandled), 0u);
}

TEST(MaintainerEffects, DiversionsRenameAndStatoverridesChangeOwnerAndMode) {
  Tree t = base_tree();
  t.put(oci::FsEntry::file("usr/bin/tool", "original", 0755));
  t.put(oci::FsEntry::file("usr/bin/helper", "h", 0755));
  const char* preinst =
      "case \"$1\" in install)\n"
      "  dpkg-divert --package wrapper --add --rename --divert /usr/bin/tool.real /usr/bin/tool\n"
      ";; esac\n";
  const char* postinst =
      "if ! dpkg-statoverride --list /usr/bin/helper >/dev/null; then\n"
      "  dpkg-statoverride --update --add root nogroup 4750 /usr/bin/helper\nfi\n";
  auto r = apply_maintainer_effects(t, {package("wrapper", postinst, preinst)}, options());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(t.find("usr/bin/tool"), nullptr);
  ASSERT_NE(t.find("usr/bin/tool.real"), nullptr);
  EXPECT_EQ(t.find("usr/bin/tool.real")->data, "original");
  EXPECT_EQ(t.find("var/lib/dpkg/diversions")->data,
            "/usr/bin/tool\n/usr/bin/tool.real\nwrapper\n");
  EXPECT_EQ(t.find("usr/bin/helper")->gid, 65534u);
  EXPECT_EQ(t.find("usr/bin/helper")->mode, 0750u);  // setuid stays out of the image
}

TEST(MaintainerEffects, UnknownCommandsAreReportedAndCanBeAcknowledged) {
  Tree t = base_tree();
  const char* postinst =
      "#!/bin/sh\nset -e\necho configuring\n"
      "/usr/lib/foo/update-foo-cache --all\n"
      "if [ \"$1\" = configure ] && [ -n \"$2\" ]; then rm -rf /var/old; fi\n"
      "mkdir -p /var/lib/foo\nln -s /var/lib/foo /etc/foo\n";
  auto opts = options();
  auto r = apply_maintainer_effects(t, {package("foo", postinst), package("bar", postinst)}, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unhandled_packages(), (std::vector<std::string>{"foo", "bar"}));
  const auto& foo = effects_of(*r, "foo");
  EXPECT_EQ(foo.count(StepOutcome::kUnhandled), 1u);
  EXPECT_EQ(foo.count(StepOutcome::kNoEffect), 1u);    // echo
  EXPECT_EQ(foo.count(StepOutcome::kReproduced), 2u);  // mkdir, ln
  EXPECT_EQ(t.find("etc/foo")->link_target, "/var/lib/foo");
  EXPECT_EQ(t.find("var/lib/foo")->type, oci::EntryType::kDirectory);
  EXPECT_NE(r->summary().find("2 with unhandled steps: foo, bar"), std::string::npos);

  Tree t2 = base_tree();
  opts.acknowledged = {"foo"};
  r = apply_maintainer_effects(t2, {package("foo", postinst), package("bar", postinst)}, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unhandled_packages(), std::vector<std::string>{"bar"});
  EXPECT_NE(r->summary().find("1 acknowledged"), std::string::npos);
}

TEST(MaintainerEffects, TriggersAndUnreadableScriptsAreReported) {
  Tree t = base_tree();
  PackageScripts lib = package("libfoo1", "", "", "# dh_makeshlibs\nactivate-noawait ldconfig\n");
  PackageScripts linked;
  linked.name = "linked";
  linked.scripts = {"postinst"};  // a symbolic link: no text
  PackageScripts bad = package("bad", "if true; then\n");
  auto r = apply_maintainer_effects(t, {lib, linked, bad}, options());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(effects_of(*r, "libfoo1").count(StepOutcome::kReproduced), 1u);
  EXPECT_EQ(effects_of(*r, "linked").count(StepOutcome::kUnhandled), 1u);
  EXPECT_EQ(effects_of(*r, "bad").count(StepOutcome::kUnhandled), 1u);
  // The report survives the layer cache's notes.
  EffectsReport back = effects_from_json(to_json(*r));
  EXPECT_EQ(to_json(back), to_json(*r));
}

TEST(MaintainerEffects, HeredocWritesAndUpgradeOnlyBranches) {
  Tree t = base_tree();
  const char* postinst =
      "#!/bin/sh\nset -e\n"
      "new_config_file()\n{\n    cat > /etc/app.conf <<-EOF\n\t[DEFAULT]\n\tmode = x\n\tEOF\n}\n"
      "case \"$1\" in\n  configure)\n    [ -f /etc/app.conf ] || new_config_file\n"
      "    if dpkg --compare-versions \"$2\" lt 1.0; then echo old; fi\n"
      "    if [ -n \"$2\" ] && dpkg --compare-versions \"$2\" lt-nl 2.0; then\n"
      "      update-alternatives --remove app /usr/bin/app-old\n    fi\n  ;;\nesac\n";
  auto r = apply_maintainer_effects(t, {package("app", postinst)}, options());
  ASSERT_TRUE(r.ok());
  ASSERT_NE(t.find("etc/app.conf"), nullptr);
  EXPECT_EQ(t.find("etc/app.conf")->data, "[DEFAULT]\nmode = x\n");
  EXPECT_EQ(effects_of(*r, "app").count(StepOutcome::kUnhandled), 0u);
}

TEST(MaintainerEffects, ByteCompileCallsAndOutputCaptureAreNotUnhandled) {
  Tree t = base_tree();
  const char* postinst =
      "#!/bin/sh\nset -e\n"
      "if ls -L /usr/lib/python3.11/sitecustomize.py >/dev/null 2>&1; then filt='cat'\n"
      "else filt='fgrep -v sitecustomize.py'; fi\n"
      "files=$(dpkg -L libpython3.11-minimal:amd64 \\\n"
      "    | sed -n '/^\\/usr\\/lib\\/python3.11\\/.*\\.py$/p' | $filt)\n"
      "if [ -n \"$files\" ]; then\n"
      "  /usr/bin/python3.11 -E -S /usr/lib/python3.11/py_compile.py $files\n"
      "  if grep -sq '^byte-compile[^#]*optimize' /etc/python/debian_config; then\n"
      "    /usr/bin/python3.11 -E -S -O /usr/lib/python3.11/py_compile.py $files\n  fi\nfi\n"
      "update-alternatives --auto /usr/bin/python3 >/dev/null 2>&1 || true\n";
  auto r = apply_maintainer_effects(t, {package("python3.11-minimal", postinst)}, options());
  ASSERT_TRUE(r.ok());
  const auto& p = effects_of(*r, "python3.11-minimal");
  EXPECT_EQ(p.count(StepOutcome::kUnhandled), 0u) << to_json(*r).dump(2);
  EXPECT_EQ(p.count(StepOutcome::kReproduced), 2u);
  // A command inside $(...) keeps the line it is on in the script.
  for (const auto& s : p.steps)
    if (s.command.starts_with("dpkg -L")) {
      EXPECT_EQ(s.line, 5);
    }
}

TEST(Alternatives, NamesThatWouldLeaveTheirFolderAreRefused) {
  for (const char* name : {"..", ".", "a/b", ""}) {
    auto a = parse_alternative_install({"--install", "/usr/bin/x", name, "/usr/bin/y", "5"});
    EXPECT_FALSE(a.ok()) << name;
  }
  auto slave = parse_alternative_install(
      {"--install", "/usr/bin/x", "x", "/usr/bin/y", "5", "--slave", "/usr/bin/z", "..", "/z"});
  EXPECT_FALSE(slave.ok());
  auto fine = parse_alternative_install({"--quiet", "--install", "/usr/bin/x", "x", "/usr/bin/y",
                                         "5", "--slave", "/usr/bin/z", "z", "/usr/bin/w"});
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine->priority, 5);
  ASSERT_EQ(fine->slaves.size(), 1u);
  EXPECT_EQ(fine->slaves[0].name, "z");
}

TEST(Sysusers, ParsesUserGroupAndMemberLines) {
  SysusersFile f = parse_sysusers(
      "# comment\n"
      "g render - -\n"
      "u systemd-network 192 \"systemd Network Management\" /run/systemd/netif\n"
      "u svc -:render - -\n"
      "m svc video\n"
      "r - 500-900\n");
  ASSERT_EQ(f.groups.size(), 1u);
  EXPECT_EQ(f.groups[0].first, "render");
  ASSERT_EQ(f.users.size(), 2u);
  EXPECT_EQ(f.users[0].uid, 192u);
  EXPECT_EQ(f.users[0].gecos, "systemd Network Management");
  EXPECT_TRUE(f.users[0].own_group);
  EXPECT_EQ(f.users[1].group, "render");
  EXPECT_EQ(f.members.size(), 1u);
  EXPECT_EQ(f.unhandled, std::vector<std::string>{"r - 500-900"});
}

}  // namespace
}  // namespace distill::effects
