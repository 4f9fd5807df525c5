#include "runtime/port_mapping.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace distill::runtime;

namespace {

PortMapping publish_ok(std::string_view text) {
  auto m = parse_publish(text);
  EXPECT_TRUE(m.ok()) << text << ": " << m.error().message();
  return m.ok() ? *m : PortMapping{};
}

std::string publish_error(std::string_view text) {
  auto m = parse_publish(text);
  EXPECT_FALSE(m.ok()) << text;
  return m.ok() ? std::string() : m.error().message();
}

TEST(PortMapping, DefaultsToLoopbackAndTcp) {
  EXPECT_EQ(publish_ok("8080:80"), (PortMapping{"127.0.0.1", 8080, 80, false}));
  EXPECT_EQ(publish_ok("8080:80/tcp"), (PortMapping{"127.0.0.1", 8080, 80, false}));
  EXPECT_EQ(publish_ok("5353:53/udp"), (PortMapping{"127.0.0.1", 5353, 53, true}));
}

TEST(PortMapping, TakesAnAddress) {
  EXPECT_EQ(publish_ok("0.0.0.0:8080:80"), (PortMapping{"0.0.0.0", 8080, 80, false}));
  EXPECT_EQ(publish_ok("192.0.2.2:65535:1/udp"), (PortMapping{"192.0.2.2", 65535, 1, true}));
  EXPECT_EQ(publish_ok("[::1]:8080:80"), (PortMapping{"::1", 8080, 80, false}));
  EXPECT_EQ(publish_ok("[::]:8080:80"), (PortMapping{"::", 8080, 80, false}));
}

TEST(PortMapping, RefusesWhatItCannotDo) {
  EXPECT_EQ(publish_error("8080"),
            "-p 8080: expected [IP:]HOST:CONTAINER[/tcp|udp] (give the host port too, e.g. -p "
            "8080:8080 (published on 127.0.0.1 unless an address is given))");
  EXPECT_NE(publish_error("127.0.0.1::80").find("a random one is not chosen"), std::string::npos);
  EXPECT_NE(publish_error("8080-8090:80-90").find("ranges are not supported"), std::string::npos);
  EXPECT_NE(publish_error("0:80").find("1 to 65535"), std::string::npos);
  EXPECT_NE(publish_error("65536:80").find("1 to 65535"), std::string::npos);
  EXPECT_NE(publish_error("80:+1").find("1 to 65535"), std::string::npos);
  EXPECT_NE(publish_error("80:80/sctp").find("tcp or udp"), std::string::npos);
  EXPECT_NE(publish_error("localhost:80:80").find("'localhost' is not an IPv4 address"),
            std::string::npos);
  EXPECT_NE(publish_error("::1:80:80").find("in brackets"), std::string::npos);
  EXPECT_NE(publish_error("[::1:80:80").find("in brackets"), std::string::npos);
  EXPECT_NE(publish_error("[1.2.3.4]:80:80").find("not an IPv6 address"), std::string::npos);
  EXPECT_NE(publish_error("1.2.3.4:80").find("expected"), std::string::npos);
  EXPECT_EQ(publish_error("\x1b[2J:1:1").find('\x1b'), std::string::npos) << "escaped";
  EXPECT_FALSE(parse_publish("").ok());
  EXPECT_FALSE(parse_publish(":").ok());
  // inet_pton stops at a NUL: the address must be all of the text (fuzz_publish).
  using std::string_literals::operator""s;
  EXPECT_FALSE(parse_publish("[::\0junk]:8443:443"s).ok());
  EXPECT_FALSE(parse_publish("127.0.0.1\0x:80:80"s).ok());
}

TEST(PortMapping, PastaCommandLine) {
  EXPECT_EQ(pasta_port_spec({"127.0.0.1", 8080, 80, false}), "127.0.0.1/8080:80");
  EXPECT_EQ(pasta_port_spec({"::1", 53, 5353, true}), "::1/53:5353");
  auto argv = pasta_argv("/usr/bin/pasta", "/proc/7/ns/net",
                         {{"127.0.0.1", 8080, 80, false}, {"0.0.0.0", 9090, 90, false}},
                         "/b/pasta.pid", "/b/pasta.log");
  std::vector<std::string> want = {"/usr/bin/pasta",    "--foreground",  "--quiet",
                                   "--runas",           "0:0",           "--config-net",
                                   "--no-map-gw",       "--tcp-ns",      "none",
                                   "--udp-ns",          "none",          "--tcp-ports",
                                   "127.0.0.1/8080:80", "--tcp-ports",   "0.0.0.0/9090:90",
                                   "--udp-ports",       "none",          "--pid",
                                   "/b/pasta.pid",      "--log-file",    "/b/pasta.log",
                                   "--netns",           "/proc/7/ns/net"};
  EXPECT_EQ(argv, want);
  // Nothing published: nothing forwarded at all (pasta's default is "auto").
  argv = pasta_argv("pasta", "/n", {}, "p", "l");
  auto count = [&](std::string_view a, std::string_view b) {
    for (size_t i = 0; i + 1 < argv.size(); ++i)
      if (argv[i] == a && argv[i + 1] == b) return true;
    return false;
  };
  EXPECT_TRUE(count("--tcp-ports", "none"));
  EXPECT_TRUE(count("--udp-ports", "none"));
  EXPECT_TRUE(count("--tcp-ns", "none"));
  EXPECT_TRUE(count("--udp-ns", "none"));
  EXPECT_NE(std::find(argv.begin(), argv.end(), "--no-map-gw"), argv.end());
}

}  // namespace
