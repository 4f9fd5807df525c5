#include "runtime/container_monitor.hpp"

#include <gtest/gtest.h>

#include "runtime/lifecycle.hpp"

namespace distill::runtime {
namespace {

TEST(ContainerMonitorTest, RequestRoundTripsThroughItsJson) {
  MonitorRequest r;
  r.state_root = "/var/lib/distill";
  r.name = "web";
  r.runc = "/usr/sbin/runc";
  r.log = "/var/lib/distill/containers/web/log";
  r.runc_run = {"/usr/sbin/runc", "run", "-d", "web"};
  oci::Healthcheck h;
  h.test = {"CMD", "/check", "it's \"quoted\""};
  h.interval = 1'000'000'000;
  h.retries = 2;
  r.healthcheck = h;
  auto back = parse_monitor_request(monitor_request_json(r));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->state_root, r.state_root);
  EXPECT_EQ(back->name, "web");
  EXPECT_EQ(back->runc, r.runc);
  EXPECT_EQ(back->log, r.log);
  EXPECT_EQ(back->runc_run, r.runc_run);
  EXPECT_EQ(back->healthcheck, r.healthcheck);
  r.healthcheck.reset();
  back = parse_monitor_request(monitor_request_json(r));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->healthcheck);
  r.name = "../x";
  EXPECT_FALSE(parse_monitor_request(monitor_request_json(r)).ok());
  EXPECT_FALSE(parse_monitor_request("{}").ok());
  EXPECT_FALSE(parse_monitor_request("[").ok());
}

TEST(ContainerMonitorTest, ExitRecordRoundTrips) {
  auto e = parse_exit_record(exit_record_json(143, 1700000000));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->code, 143);
  EXPECT_EQ(e->finished, 1700000000);
  EXPECT_FALSE(parse_exit_record(R"({"exit_code": 300})").ok());
  EXPECT_FALSE(parse_exit_record("[]").ok());
}

TEST(ContainerMonitorTest, PsShowsDockersStatusWithHealthAndExitCode) {
  ContainerStatus up;
  up.record.name = "web";
  up.record.phase = Phase::kRunning;
  up.record.created = 988;
  up.status = "running";
  EXPECT_NE(ps_table({up}, 1000).find("Up 12 seconds\n"), std::string::npos)
      << ps_table({up}, 1000);
  up.health = HealthRecord{};
  EXPECT_NE(ps_table({up}, 1000).find("Up 12 seconds (health: starting)"), std::string::npos);
  up.health->state.status = HealthStatus::kHealthy;
  EXPECT_NE(ps_table({up}, 1000).find("Up 12 seconds (healthy)"), std::string::npos);
  up.health->state.status = HealthStatus::kUnhealthy;
  up.health->state.reason = "HTTP 500";
  EXPECT_NE(ps_table({up}, 1120).find("Up 2 minutes (unhealthy)"), std::string::npos);
  std::string json = ps_json({up});
  EXPECT_NE(json.find(R"("reason": "HTTP 500")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("exit_code": null)"), std::string::npos) << json;

  ContainerStatus done;
  done.record.name = "once";
  done.record.phase = Phase::kRunning;
  done.status = "exited";
  EXPECT_NE(ps_table({done}, 1000).find("Exited\n"), std::string::npos);
  done.exit = ExitRecord{3, 999};
  EXPECT_NE(ps_table({done}, 1000).find("Exited (3)\n"), std::string::npos);
  EXPECT_NE(ps_json({done}).find(R"("exit_code": 3)"), std::string::npos);
  EXPECT_NE(ps_json({done}).find(R"("health": null)"), std::string::npos);
}

}  // namespace
}  // namespace distill::runtime
