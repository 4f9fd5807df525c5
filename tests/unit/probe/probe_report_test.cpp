#include "probe/probe_report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace distill::probe {
namespace {

// What tools/probe/probe.c prints for a regular Debian image run as root
// with no capabilities and no_new_privs.
constexpr const char* kRegular = R"({
  "probe": "distill-probe 1", "uid": 0, "euid": 0, "gid": 0,
  "shells": [{"name": "sh", "path": "/usr/bin/sh", "executable": true},
             {"name": "bash", "path": "/usr/bin/bash", "executable": true},
             {"name": "dash", "path": "/usr/bin/dash", "executable": false}],
  "interpreters": [{"name": "perl", "path": "/usr/bin/perl", "executable": true}],
  "versioned_interpreters": [{"name": "perl", "path": "/usr/bin/perl", "executable": true},
                             {"name": "perl5.36.0", "path": "/usr/bin/perl5.36.0", "executable": true}],
  "network_tools": [{"name": "wget", "path": "/usr/bin/wget", "executable": true}],
  "socket_modules": ["/usr/lib/x86_64-linux-gnu/perl-base/Socket.pm"],
  "busybox_applets": [],
  "package_managers": [{"name": "apt-get", "path": "/usr/bin/apt-get", "executable": true, "runs": true},
                       {"name": "dpkg", "path": "/usr/bin/dpkg", "executable": true, "runs": false}],
  "writable": [{"path": "/", "access": true, "created": false},
               {"path": "/tmp", "access": true, "created": true},
               {"path": "/etc", "access": false, "created": false}],
  "setuid": [{"path": "/usr/bin/su", "mode": "4755", "owner": 0, "setuid": true, "setgid": false}],
  "status": {"CapEff": "0000000000000000", "NoNewPrivs": "1"}
})";

constexpr const char* kEmpty = R"({
  "probe": "distill-probe 1", "uid": 65532, "euid": 65532, "gid": 65532,
  "shells": [], "interpreters": [], "versioned_interpreters": [], "network_tools": [],
  "socket_modules": [], "busybox_applets": [], "package_managers": [],
  "writable": [{"path": "/tmp", "access": true, "created": true}], "setuid": [],
  "status": {"CapEff": "00000000a80425fb", "NoNewPrivs": "0"}
})";

const ProbeFinding* find(const std::vector<ProbeFinding>& v, const std::string& category,
                         const std::string& item) {
  auto it = std::find_if(v.begin(), v.end(),
                         [&](const auto& f) { return f.category == category && f.item == item; });
  return it == v.end() ? nullptr : &*it;
}

TEST(ProbeReport, GivesAVerdictPerItem) {
  auto r = parse_probe_output(kRegular, "img");
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto& f = *r;
  EXPECT_EQ(exposed_count(f, "shell"), 2u);
  ASSERT_NE(find(f, "shell", "dash"), nullptr);
  EXPECT_EQ(find(f, "shell", "dash")->verdict, Verdict::kLimited);
  // /usr/bin/perl is reported once although both lists name it.
  EXPECT_EQ(exposed_count(f, "interpreter"), 2u);
  // wget, and perl's Socket module since perl runs.
  EXPECT_EQ(exposed_count(f, "network-tool"), 2u);
  EXPECT_EQ(find(f, "package-manager", "apt-get")->verdict, Verdict::kExposed);
  EXPECT_EQ(find(f, "package-manager", "dpkg")->verdict, Verdict::kLimited);
  EXPECT_EQ(find(f, "writable-path", "/tmp")->verdict, Verdict::kExposed);
  EXPECT_EQ(find(f, "writable-path", "/")->verdict, Verdict::kLimited);
  EXPECT_EQ(find(f, "writable-path", "/etc"), nullptr);
  // no_new_privs: the setuid file cannot raise privileges.
  EXPECT_EQ(find(f, "setuid", "su")->verdict, Verdict::kLimited);
  ASSERT_NE(find(f, "capability", ""), nullptr);
  EXPECT_EQ(find(f, "capability", "")->verdict, Verdict::kNone);
}

TEST(ProbeReport, EmptyCategoriesSayNothingFound) {
  auto r = parse_probe_output(kEmpty, "img");
  ASSERT_TRUE(r.ok()) << r.error().message();
  for (const char* c : {"shell", "interpreter", "network-tool", "package-manager", "setuid"}) {
    EXPECT_EQ(exposed_count(*r, c), 0u) << c;
    ASSERT_NE(find(*r, c, ""), nullptr) << c;
  }
  EXPECT_EQ(find(*r, "capability", "CapEff")->verdict, Verdict::kExposed);
  auto j = probe_report_json("img", *r);
  EXPECT_EQ(j["exposed"]["shell"], 0);
  EXPECT_EQ(j["exposed"]["writable-path"], 1);
  EXPECT_EQ(j["findings"][0]["verdict"], "none");
  std::string text = probe_report_text("img", *r);
  EXPECT_NE(text.find("shell (0 exposed)\n  NONE     nothing found"), std::string::npos) << text;
  EXPECT_NE(text.find("EXPOSED  /tmp"), std::string::npos) << text;
}

TEST(ProbeReport, RejectsMalformedOutput) {
  auto r = parse_probe_output("{\"shells\": 3}", "app:1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "app:1");
  EXPECT_NE(r.error().what.find("unreadable probe output"), std::string::npos);
  EXPECT_FALSE(parse_probe_output("not json", "x").ok());
}

}  // namespace
}  // namespace distill::probe
