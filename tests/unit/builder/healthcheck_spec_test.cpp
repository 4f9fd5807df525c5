#include <gtest/gtest.h>

#include "builder/health_target.hpp"
#include "builder/healthcheck.hpp"
#include "builder/spec.hpp"

namespace distill::builder {
namespace {

core::Result<Spec> parse_health_spec(const std::string& yaml) {
  return parse_spec(yaml, "distill.yaml", "/");
}

std::string health_error(const std::string& yaml) {
  auto r = parse_health_spec(yaml);
  return r.ok() ? "<ok>" : r.error().message();
}

TEST(HealthcheckSpec, HttpWithDockerDefaults) {
  auto s = parse_health_spec("healthcheck:\n  http: http://127.0.0.1:8080/health\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  ASSERT_TRUE(s->healthcheck);
  EXPECT_EQ(s->healthcheck->kind, HealthKind::kHttp);
  EXPECT_EQ(s->healthcheck->target, "http://127.0.0.1:8080/health");
  EXPECT_EQ(s->healthcheck->interval, 30'000'000'000);
  EXPECT_EQ(s->healthcheck->timeout, 30'000'000'000);
  EXPECT_EQ(s->healthcheck->start_period, 0);
  EXPECT_EQ(s->healthcheck->retries, 3);
  EXPECT_EQ(s->healthcheck->line, 2);
}

TEST(HealthcheckSpec, AllFieldsAndForms) {
  auto s = parse_health_spec(
      "healthcheck:\n  tcp: '5432'\n  interval: 1m30s\n  timeout: 500ms\n"
      "  start_period: 10s\n  retries: 5\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->healthcheck->kind, HealthKind::kTcp);
  EXPECT_EQ(s->healthcheck->target, "127.0.0.1:5432");
  EXPECT_EQ(s->healthcheck->interval, 90'000'000'000);
  EXPECT_EQ(s->healthcheck->timeout, 500'000'000);
  EXPECT_EQ(s->healthcheck->start_period, 10'000'000'000);
  EXPECT_EQ(s->healthcheck->retries, 5);

  s = parse_health_spec("healthcheck: {exec: [/usr/bin/python3, /app/check.py]}\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->healthcheck->kind, HealthKind::kExec);
  EXPECT_EQ(s->healthcheck->exec, (std::vector<std::string>{"/usr/bin/python3", "/app/check.py"}));

  s = parse_health_spec("healthcheck: {tcp: '[::1]:80'}\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->healthcheck->target, "[::1]:80");
  s = parse_health_spec("healthcheck: {http: 'http://localhost'}\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->healthcheck->target, "http://localhost:80/");
}

TEST(HealthcheckSpec, OneLineErrorsWithLineAndHint) {
  EXPECT_EQ(health_error("healthcheck: {}\n"),
            "distill.yaml:1: 'healthcheck' needs exactly one of http, tcp or exec (e.g. http: "
            "http://127.0.0.1:8080/health)");
  EXPECT_EQ(health_error("healthcheck:\n  http: http://127.0.0.1/\n  tcp: '80'\n"),
            "distill.yaml:2: 'healthcheck' needs exactly one of http, tcp or exec (e.g. http: "
            "http://127.0.0.1:8080/health)");
  EXPECT_EQ(health_error("healthcheck:\n  http: http://10.0.0.1/health\n"),
            "distill.yaml:2: healthcheck.http 'http://10.0.0.1/health': does not name the "
            "container's loopback (the checker runs inside the container: use 127.0.0.1, "
            "[::1] or localhost)");
  EXPECT_NE(health_error("healthcheck:\n  http: https://127.0.0.1/\n").find("use http://"),
            std::string::npos);
  EXPECT_EQ(health_error("healthcheck:\n  tcp: '127.0.0.1:99999'\n"),
            "distill.yaml:2: healthcheck.tcp '127.0.0.1:99999': has no port in 1-65535 (e.g. "
            "127.0.0.1:8080)");
  EXPECT_EQ(health_error("healthcheck:\n  tcp: '80'\n  interval: 5\n"),
            "distill.yaml:3: 'healthcheck.interval' has a number without a unit (ns, us, ms, s, "
            "m or h): '5' (write e.g. 30s, 1m30s or 500ms)");
  EXPECT_EQ(health_error("healthcheck:\n  tcp: '80'\n  timeout: 0s\n"),
            "distill.yaml:3: 'healthcheck.timeout' must be at least 1ms (got '0s') (docker "
            "refuses shorter ones too)");
  EXPECT_EQ(health_error("healthcheck:\n  tcp: '80'\n  retries: 0\n"),
            "distill.yaml:3: 'healthcheck.retries' must be at least 1 (it counts the failures in "
            "a row that make the container unhealthy)");
  EXPECT_EQ(health_error("healthcheck:\n  tcp: '80'\n  retrys: 2\n"),
            "distill.yaml:3: unknown key 'retrys' in healthcheck (did you mean 'retries'?)");
  EXPECT_EQ(health_error("healthcheck:\n  exec: [check]\n"),
            "distill.yaml:2: 'healthcheck.exec' must start with the absolute path of a program in "
            "the image (got 'check') (no shell runs it: e.g. [/usr/bin/python3, /app/check.py])");
  EXPECT_EQ(health_error("healthcheck:\n  exec: []\n"),
            "distill.yaml:2: 'healthcheck.exec' is empty (give the program and its arguments, "
            "e.g. [/app/check, --quick])");
  EXPECT_EQ(health_error("healthcheck: http://127.0.0.1/\n"),
            "distill.yaml:1: 'healthcheck' must be a map (got a scalar) (e.g. healthcheck: {http: "
            "http://127.0.0.1:8080/health})");
}

TEST(HealthTarget, UrlsAndAddresses) {
  auto u = parse_health_url("http://127.0.0.1:8080/health?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/health?x=1");
  EXPECT_EQ(u->url(), "http://127.0.0.1:8080/health?x=1");
  u = parse_health_url("http://[::1]:81");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->url(), "http://[::1]:81/");
  EXPECT_TRUE(parse_health_url("http://127.0.0.2/").ok());
  for (const char* bad : {"http://", "http://:80/", "http://127.1/", "http://0x7f.0.0.1/",
                          "http://example.org/", "http://user@127.0.0.1/", "http://127.0.0.1:0/",
                          "http://127.0.0.1:/", "http://127.0.0.1/a b", "http://[::1/",
                          "http://[::2]/", "ftp://127.0.0.1/", "http://127.0.0.1/\xC3\xA9"})
    EXPECT_FALSE(parse_health_url(bad).ok()) << bad;
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", ":80", "0", "65536", "192.168.1.1:80"})
    EXPECT_FALSE(parse_health_tcp(bad).ok()) << bad;
}

TEST(HealthTarget, AHostWithANulByteIsRefused) {
  // inet_pton reads a C string: it stopped at the NUL and let the rest
  // through (found by fuzz_health_target).
  using namespace std::string_view_literals;
  EXPECT_FALSE(parse_health_url("http://127.0.0.1\0junk:8080/"sv).ok());
  EXPECT_FALSE(parse_health_url("http://[::1\0x]:8080/"sv).ok());
  EXPECT_FALSE(parse_health_tcp("127.0.0.1\0junk:80"sv).ok());
  EXPECT_FALSE(parse_health_tcp("localhost\0:80"sv).ok());
}

TEST(HealthcheckSpec, ImageConfigTests) {
  HealthcheckSpec h;
  h.kind = HealthKind::kHttp;
  h.target = "http://127.0.0.1:8080/health";
  h.interval = 2'000'000'000;
  oci::Healthcheck c = image_healthcheck(h);
  EXPECT_EQ(c.test, (std::vector<std::string>{"CMD", "/usr/libexec/distill/healthcheck", "http",
                                              "http://127.0.0.1:8080/health"}));
  EXPECT_EQ(c.interval, 2'000'000'000);
  EXPECT_EQ(c.timeout, 30'000'000'000);
  EXPECT_EQ(c.start_period, 0);
  EXPECT_EQ(c.retries, 3);
  h.kind = HealthKind::kExec;
  h.exec = {"/app/check", "--quick"};
  EXPECT_EQ(image_healthcheck(h).test, (std::vector<std::string>{"CMD", "/app/check", "--quick"}));
}

TEST(HealthcheckSpec, CheckerOnlyForTheHostArchitecture) {
  Spec s;
  s.path = "distill.yaml";
  EXPECT_TRUE(check_health_archs(s, {"arm64"}, "amd64").ok()) << "no healthcheck";
  s.healthcheck = HealthcheckSpec{};
  s.healthcheck->line = 7;
  EXPECT_TRUE(check_health_archs(s, {"amd64"}, "amd64").ok());
  auto st = check_health_archs(s, {"amd64", "arm64"}, "amd64");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(
      st.error().message(),
      "distill.yaml:7: healthcheck: the http and tcp checker is built for amd64 and cannot "
      "go into an image for arm64 (use 'exec:' with a program of the image, or build the arm64 "
      "image on a arm64 host)");
  s.healthcheck->kind = HealthKind::kExec;
  EXPECT_TRUE(check_health_archs(s, {"arm64"}, "amd64").ok());
  EXPECT_FALSE(health_program_entry(s, "/x", 5));
  s.healthcheck->kind = HealthKind::kTcp;
  auto e = health_program_entry(s, "/build/distill-health", 5);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->path, "usr/libexec/distill/healthcheck");
  EXPECT_EQ(e->source_path, "/build/distill-health");
  EXPECT_EQ(e->mode, 0755u);
  EXPECT_EQ(e->uid, 0u);
  EXPECT_EQ(e->mtime, 5);
}

}  // namespace
}  // namespace distill::builder
