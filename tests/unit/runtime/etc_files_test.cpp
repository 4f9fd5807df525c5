#include "runtime/etc_files.hpp"

#include <gtest/gtest.h>

using namespace distill::runtime;

namespace {

TEST(EtcFiles, HostsFileHasLocalhostHostnameAndExtras) {
  EXPECT_EQ(hosts_file("distill", {{"db", "192.0.2.7"}, {"v6", "2001:db8::1"}}),
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            "127.0.1.1\tdistill\n192.0.2.7\tdb\n2001:db8::1\tv6\n");
}

TEST(EtcFiles, ParsesAddHost) {
  auto e = parse_add_host("db.internal:192.0.2.7");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->name, "db.internal");
  EXPECT_EQ(e->address, "192.0.2.7");
  auto v6 = parse_add_host("db:::1");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->address, "::1");
  EXPECT_EQ(parse_add_host("db").error().message(),
            "--add-host db: expected NAME:IP (e.g. --add-host db:10.0.0.5)");
  EXPECT_EQ(parse_add_host("db:nope").error().message(),
            "--add-host db:nope: 'nope' is not an IP address");
  EXPECT_FALSE(parse_add_host("-x:1.2.3.4").ok());
  EXPECT_FALSE(parse_add_host("a b:1.2.3.4").ok());
  EXPECT_FALSE(parse_add_host("a\n127.0.0.1 evil:1.2.3.4").ok());
  EXPECT_TRUE(parse_dns_server("192.0.2.53").ok());
  EXPECT_FALSE(parse_dns_server("resolver.example").ok());
}

constexpr const char* kHostResolv =
    "# written by NetworkManager\n"
    "search corp.example\n"
    "nameserver 127.0.0.53\n"
    "nameserver 192.0.2.1\n"
    "options edns0 trust-ad\n"
    "nameserver not-an-ip\n";

TEST(EtcFiles, ResolvConfFromTheHost) {
  // Host network: the host's loopback resolver is reachable.
  EXPECT_EQ(resolv_conf(kHostResolv, {}, true),
            "search corp.example\nnameserver 127.0.0.53\nnameserver 192.0.2.1\n"
            "options edns0 trust-ad\n");
  // Own namespace: 127.0.0.53 would be the container's own loopback.
  EXPECT_EQ(resolv_conf(kHostResolv, {}, false),
            "search corp.example\nnameserver 192.0.2.1\noptions edns0 trust-ad\n");
}

TEST(EtcFiles, DnsFlagReplacesTheHostsServers) {
  EXPECT_EQ(resolv_conf(kHostResolv, {"192.0.2.53"}, false),
            "nameserver 192.0.2.53\nsearch corp.example\noptions edns0 trust-ad\n");
  EXPECT_EQ(resolv_conf("", {}, false), "");
}

}  // namespace
