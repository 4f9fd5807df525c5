#include "runtime/runtime_spec.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using namespace distill;
using namespace distill::runtime;
using json = nlohmann::json;

namespace {

oci::ContainerConfig image_config() {
  oci::ContainerConfig c;
  c.user = "65532";
  c.env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
  c.entrypoint = {"/usr/bin/python3"};
  c.cmd = {"/app/main.py"};
  c.working_dir = "/app";
  return c;
}

json spec_of(const RunOptions& o, const ProcessUser& u = {65532, 65532, {}}) {
  auto s = runtime_spec_json(image_config(), o, u);
  EXPECT_TRUE(s.ok()) << s.error().message();
  return s.ok() ? json::parse(*s) : json();
}

const json* mount_at(const json& spec, const std::string& dest) {
  for (const auto& m : spec["mounts"])
    if (m["destination"] == dest) return &m;
  return nullptr;
}

TEST(RuntimeSpec, SafeDefaults) {
  json s = spec_of({});
  EXPECT_EQ(s["ociVersion"], "1.0.2");
  EXPECT_EQ(s["root"]["path"], "rootfs");
  EXPECT_EQ(s["root"]["readonly"], true);
  const json& p = s["process"];
  EXPECT_EQ(p["terminal"], false);
  EXPECT_EQ(p["noNewPrivileges"], true);
  EXPECT_EQ(p["user"]["uid"], 65532);
  EXPECT_EQ(p["user"]["gid"], 65532);
  EXPECT_EQ(p["args"], json({"/usr/bin/python3", "/app/main.py"}));
  EXPECT_EQ(p["cwd"], "/app");
  EXPECT_EQ(p["env"], json({"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}));
  for (const char* set : {"bounding", "effective", "inheritable", "permitted", "ambient"})
    EXPECT_EQ(p["capabilities"][set], json::array()) << set;
  const json* tmp = mount_at(s, "/tmp");
  ASSERT_NE(tmp, nullptr);
  EXPECT_EQ((*tmp)["type"], "tmpfs");
  EXPECT_NE(std::find((*tmp)["options"].begin(), (*tmp)["options"].end(), "mode=1777"),
            (*tmp)["options"].end());
  ASSERT_NE(mount_at(s, "/proc"), nullptr);
  ASSERT_NE(mount_at(s, "/dev"), nullptr);
  std::vector<std::string> ns;
  for (const auto& n : s["linux"]["namespaces"]) ns.push_back(n["type"]);
  EXPECT_EQ(ns, (std::vector<std::string>{"pid", "ipc", "uts", "mount", "cgroup", "network"}));
  EXPECT_NE(s["linux"]["maskedPaths"].dump().find("/proc/kcore"), std::string::npos);
  EXPECT_NE(s["linux"]["readonlyPaths"].dump().find("/proc/sys"), std::string::npos);
}

TEST(RuntimeSpec, OverridesApply) {
  RunOptions o;
  o.args = std::vector<std::string>{"-c", "print(1)"};
  o.env = {"LANG=fr_FR.UTF-8", "EXTRA=1"};
  o.cap_add = {"CAP_NET_BIND_SERVICE"};
  o.host_network = true;
  o.mounts = {{"/srv/data", "/data", true}};
  json s = spec_of(o, {0, 0, {5}});
  const json& p = s["process"];
  EXPECT_EQ(p["args"], json({"/usr/bin/python3", "-c", "print(1)"}));
  EXPECT_EQ(p["env"], json({"PATH=/usr/bin:/bin", "LANG=fr_FR.UTF-8", "EXTRA=1"}));
  EXPECT_EQ(p["user"]["uid"], 0);
  EXPECT_EQ(p["user"]["additionalGids"], json({5}));
  EXPECT_EQ(p["capabilities"]["bounding"], json({"CAP_NET_BIND_SERVICE"}));
  for (const auto& n : s["linux"]["namespaces"]) EXPECT_NE(n["type"], "network");
  const json* data = mount_at(s, "/data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ((*data)["type"], "bind");
  EXPECT_EQ((*data)["source"], "/srv/data");
  EXPECT_EQ((*data)["options"], json({"rbind", "rprivate", "ro"}));
}

TEST(RuntimeSpec, APrivateNetworkIsJoinedByPath) {
  RunOptions o;
  o.private_network = true;
  o.netns_path = "/proc/42/ns/net";
  json s = spec_of(o, {0, 0, {}});
  json network;
  for (const auto& n : s["linux"]["namespaces"])
    if (n["type"] == "network") network = n;
  EXPECT_EQ(network, json({{"type", "network"}, {"path", "/proc/42/ns/net"}}));
}

TEST(RuntimeSpec, ATerminalOnlyWhenAsked) {
  EXPECT_EQ(spec_of(RunOptions{})["process"]["terminal"], false);
  RunOptions o;
  o.terminal = true;
  EXPECT_EQ(spec_of(o)["process"]["terminal"], true);
}

TEST(RuntimeSpec, DebugJoinsTheTargetsNamespacesAndKeepsItsHostname) {
  RunOptions o;
  o.join_namespaces_of = 4242;
  json s = spec_of(o, {0, 0, {}});
  json want = json::array();
  for (const char* t : {"pid", "ipc", "uts"})
    want.push_back({{"type", t}, {"path", std::string("/proc/4242/ns/") + t}});
  want.push_back({{"type", "network"}, {"path", "/proc/4242/ns/net"}});
  want.push_back({{"type", "mount"}});
  want.push_back({{"type", "cgroup"}});
  EXPECT_EQ(s["linux"]["namespaces"], want);
  EXPECT_FALSE(s.contains("hostname")) << "sethostname would change the target's";
  EXPECT_EQ(s["root"]["readonly"], true) << "the toolbox's own root, read-only";
}

TEST(RuntimeSpec, EntrypointOverrideDropsCmd) {
  RunOptions o;
  o.entrypoint = std::vector<std::string>{"/bin/tool"};
  auto a = process_args(image_config(), o);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, std::vector<std::string>{"/bin/tool"});
  o.entrypoint = std::vector<std::string>{};
  o.args = std::vector<std::string>{"/usr/bin/python3", "-V"};
  a = process_args(image_config(), o);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, (std::vector<std::string>{"/usr/bin/python3", "-V"}));
  o.args = std::nullopt;
  EXPECT_FALSE(process_args(image_config(), o).ok()) << "nothing to run";
}

TEST(RuntimeSpec, DefaultPathWhenTheImageHasNone) {
  oci::ContainerConfig c;
  auto env = process_env(c, {});
  ASSERT_EQ(env.size(), 1u);
  EXPECT_TRUE(env[0].starts_with("PATH=/usr/local/sbin:"));
}

TEST(RuntimeSpec, BindMountsAndCapabilitiesAreChecked) {
  auto m = parse_bind_mount("/host/dir:/ctr/./dir:ro");
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->source, "/host/dir");
  EXPECT_EQ(m->destination, "/ctr/dir");
  EXPECT_TRUE(m->read_only);
  EXPECT_FALSE(parse_bind_mount("relative:/x").ok());
  EXPECT_FALSE(parse_bind_mount("/h:/x/../../etc").ok());
  EXPECT_FALSE(parse_bind_mount("/h:/").ok());
  EXPECT_FALSE(parse_bind_mount("/h:/x:rx").ok());
  EXPECT_FALSE(parse_bind_mount("/h").ok());
  auto cap = normalize_capability("net_bind_service");
  ASSERT_TRUE(cap.ok());
  EXPECT_EQ(*cap, "CAP_NET_BIND_SERVICE");
  EXPECT_FALSE(normalize_capability("CAP_FLY").ok());
}

TEST(RuntimeSpec, SharedTmpIsABindMount) {
  RunOptions o;
  o.tmp_source = "/var/tmp/x";
  json s = spec_of(o);
  const json* tmp = mount_at(s, "/tmp");
  ASSERT_NE(tmp, nullptr);
  EXPECT_EQ((*tmp)["type"], "bind");
  EXPECT_EQ((*tmp)["source"], "/var/tmp/x");
}

}  // namespace

TEST(RuntimeSpec, RootPathAndWritableRoot) {
  json s = spec_of({});
  EXPECT_EQ(s["root"]["path"], "rootfs");
  RunOptions o;
  o.root_path = "/tmp/distill-overlay.x/merged";
  o.writable_root = true;
  s = spec_of(o);
  EXPECT_EQ(s["root"]["path"], "/tmp/distill-overlay.x/merged");
  EXPECT_EQ(s["root"]["readonly"], false);
}

namespace {

TEST(RuntimeSpec, InitRunsFirstFromAReadOnlyMount) {
  RunOptions o;
  o.init_program = "/usr/lib/distill/distill-init";
  json s = spec_of(o);
  EXPECT_EQ(s["process"]["args"], json({"/.distill-init", "/usr/bin/python3", "/app/main.py"}));
  const json* m = mount_at(s, "/.distill-init");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["source"], "/usr/lib/distill/distill-init");
  EXPECT_EQ((*m)["options"], json({"rbind", "rprivate", "ro", "nosuid", "nodev"}));
}

TEST(RuntimeSpec, HostsAndResolvConfMountedReadOnly) {
  RunOptions o;
  o.hosts_file = "/run/b/hosts";
  o.resolv_conf = "/run/b/resolv.conf";
  json s = spec_of(o);
  for (const auto& [dest, src] : {std::pair<std::string, std::string>{"/etc/hosts", o.hosts_file},
                                  {"/etc/resolv.conf", o.resolv_conf}}) {
    const json* m = mount_at(s, dest);
    ASSERT_NE(m, nullptr) << dest;
    EXPECT_EQ((*m)["source"], src);
    EXPECT_EQ((*m)["options"], json({"rbind", "rprivate", "ro", "nosuid", "nodev", "noexec"}));
  }
  EXPECT_EQ(mount_at(spec_of({}), "/etc/hosts"), nullptr);
}

}  // namespace
