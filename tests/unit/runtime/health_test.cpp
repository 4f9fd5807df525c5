#include "runtime/health.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace distill::runtime {
namespace {

constexpr int64_t kS = 1'000'000'000;

HealthPolicy policy_of(int64_t start_period, int64_t retries) {
  HealthPolicy p;
  p.argv = {"/check"};
  p.interval = kS;
  p.start_period = start_period;
  p.retries = retries;
  return p;
}

TEST(HealthPolicyTest, DockerDefaultsAndTestForms) {
  EXPECT_FALSE(*health_policy(std::nullopt));
  oci::Healthcheck h;
  h.test = {"NONE"};
  EXPECT_FALSE(*health_policy(h)) << "disabled";
  h.test = {"CMD", "/usr/libexec/distill/healthcheck", "tcp", "127.0.0.1:80"};
  auto p = health_policy(h);
  ASSERT_TRUE(p.ok() && *p);
  EXPECT_EQ((*p)->argv,
            (std::vector<std::string>{"/usr/libexec/distill/healthcheck", "tcp", "127.0.0.1:80"}));
  EXPECT_EQ((*p)->interval, 30 * kS);
  EXPECT_EQ((*p)->timeout, 30 * kS);
  EXPECT_EQ((*p)->start_period, 0);
  EXPECT_EQ((*p)->retries, 3);
  h.test = {"CMD-SHELL", "curl -f localhost"};
  h.interval = 2 * kS;
  h.retries = 1;
  p = health_policy(h);
  ASSERT_TRUE(p.ok() && *p);
  EXPECT_EQ((*p)->argv, (std::vector<std::string>{"/bin/sh", "-c", "curl -f localhost"}));
  EXPECT_EQ((*p)->interval, 2 * kS);
  EXPECT_EQ((*p)->retries, 1);
  h.test = {"CMD"};
  EXPECT_FALSE(health_policy(h).ok());
  h.test = {"SHELL", "x"};
  auto bad = health_policy(h);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().hint.find("--no-healthcheck"), std::string::npos);
}

TEST(HealthStateTest, HealthyOnSuccessUnhealthyAfterRetriesInARow) {
  HealthPolicy p = policy_of(0, 3);
  HealthState s;
  EXPECT_EQ(s.status, HealthStatus::kStarting);
  EXPECT_TRUE(s.record(p, {true, ""}, 1 * kS));
  EXPECT_EQ(s.describe(), "healthy");
  EXPECT_FALSE(s.record(p, {false, "HTTP 500"}, 2 * kS));
  EXPECT_FALSE(s.record(p, {false, "HTTP 500"}, 3 * kS));
  EXPECT_EQ(s.failing_streak, 2);
  EXPECT_EQ(s.status, HealthStatus::kHealthy);
  EXPECT_TRUE(s.record(p, {false, "HTTP 503"}, 4 * kS));
  EXPECT_EQ(s.describe(), "unhealthy (HTTP 503)");
  EXPECT_FALSE(s.record(p, {false, "x"}, 5 * kS));
  EXPECT_EQ(s.failing_streak, 4);
  EXPECT_TRUE(s.record(p, {true, ""}, 6 * kS));
  EXPECT_EQ(s.failing_streak, 0);
  EXPECT_EQ(s.reason, "");
}

TEST(HealthStateTest, StartPeriodFailuresDoNotCountUntilFirstSuccess) {
  HealthPolicy p = policy_of(10 * kS, 1);
  HealthState s;
  EXPECT_FALSE(s.record(p, {false, "refused"}, 3 * kS));
  EXPECT_FALSE(s.record(p, {false, "refused"}, 9 * kS));
  EXPECT_EQ(s.failing_streak, 0);
  EXPECT_EQ(s.status, HealthStatus::kStarting);
  EXPECT_EQ(s.reason, "refused");
  EXPECT_TRUE(s.record(p, {false, "refused"}, 11 * kS));
  EXPECT_EQ(s.status, HealthStatus::kUnhealthy);

  // Once healthy, a failure in the start period counts (docker's rule).
  HealthState t;
  EXPECT_TRUE(t.record(p, {true, ""}, 1 * kS));
  EXPECT_TRUE(t.record(p, {false, "down"}, 2 * kS));
  EXPECT_EQ(t.status, HealthStatus::kUnhealthy);
}

TEST(HealthStateTest, RecordJsonRoundTrip) {
  HealthState s;
  s.status = HealthStatus::kUnhealthy;
  s.failing_streak = 4;
  s.reason = "HTTP 500";
  auto back = parse_health_record(health_record_json(s, 1234));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->state.status, HealthStatus::kUnhealthy);
  EXPECT_EQ(back->state.failing_streak, 4);
  EXPECT_EQ(back->state.reason, "HTTP 500");
  EXPECT_EQ(back->checked, 1234);
  EXPECT_FALSE(parse_health_record("{\"status\":\"fine\"}").ok());
  EXPECT_FALSE(parse_health_record("[]").ok());
}

// Answers from a script; counts the calls.
class ScriptedProber : public HealthProber {
 public:
  explicit ScriptedProber(std::vector<ProbeResult> answers) : answers_(std::move(answers)) {}
  ProbeResult probe(const std::vector<std::string>& argv, int64_t timeout) override {
    std::lock_guard<std::mutex> lock(mutex_);
    EXPECT_EQ(argv, std::vector<std::string>{"/check"});
    EXPECT_EQ(timeout, 30 * kS);
    size_t i = calls_++;
    return i < answers_.size() ? answers_[i] : answers_.back();
  }
  size_t calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::vector<ProbeResult> answers_;
  size_t calls_ = 0;
};

TEST(HealthMonitorTest, ReportsEachChangeOnceAndStopsOnDestruction) {
  HealthPolicy p = policy_of(0, 2);
  p.interval = 5'000'000;  // 5 ms
  ScriptedProber prober({{true, ""}, {true, ""}, {false, "a"}, {false, "b"}, {false, "c"}});
  std::mutex mutex;
  std::vector<std::string> changes;
  {
    HealthMonitor monitor(p, prober, [&](const HealthState& s) {
      std::lock_guard<std::mutex> lock(mutex);
      changes.push_back(s.describe());
    });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (prober.calls() < 6 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  size_t calls = prober.calls();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(prober.calls(), calls) << "no check after the monitor is gone";
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_EQ(changes, (std::vector<std::string>{"healthy", "unhealthy (b)"}));
}

TEST(HealthMonitorTest, StopsAtOnceBeforeTheFirstInterval) {
  HealthPolicy p = policy_of(0, 1);
  p.interval = 3600 * kS;
  ScriptedProber prober({{true, ""}});
  auto start = std::chrono::steady_clock::now();
  {
    HealthMonitor monitor(p, prober, [](const HealthState&) {});
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(prober.calls(), 0u);
}

}  // namespace
}  // namespace distill::runtime
