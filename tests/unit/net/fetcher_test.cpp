#include "net/fetcher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <vector>

namespace distill::net {
namespace {

class ScriptedTransport : public HttpTransport {
 public:
  std::deque<core::Error> errors;  // answered in turn, then "ok"
  int sent = 0;
  core::Result<HttpResponse> send(const HttpRequest&, const BodySink* sink) override {
    ++sent;
    if (!errors.empty()) {
      core::Error e = errors.front();
      errors.pop_front();
      return e;
    }
    if (sink) (*sink)("ok");
    HttpResponse r;
    r.status = 200;
    return r;
  }
};

class CountingClock : public core::Clock {
 public:
  int64_t now() const override { return 0; }
  void sleep_for(std::chrono::milliseconds d) override { sleeps.push_back(d); }
  std::vector<std::chrono::milliseconds> sleeps;
};

TEST(FetcherTest, RetriesOnlyWhatARetryMayChange) {
  ScriptedTransport t;
  CountingClock clock;
  Fetcher f(t, clock);
  t.errors = {core::make_error("u", "reset").with_code(core::ErrorCode::kUnavailable),
              core::make_error("u", "partial").with_code(core::ErrorCode::kUnavailable)};
  auto body = f.get("http://127.0.0.1:9/x");
  ASSERT_TRUE(body.ok()) << body.error().message();
  EXPECT_EQ(*body, "ok");
  EXPECT_EQ(t.sent, 3);
  EXPECT_EQ(clock.sleeps.size(), 2u);

  for (core::ErrorCode code : {core::ErrorCode::kFailed, core::ErrorCode::kAborted}) {
    t.sent = 0;
    clock.sleeps.clear();
    t.errors = {core::make_error("u", "Unsupported protocol").with_code(code)};
    auto failed = f.get("ftp://127.0.0.1:9/x");
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().what, "Unsupported protocol");
    EXPECT_EQ(t.sent, 1);
    EXPECT_TRUE(clock.sleeps.empty());
  }
}

}  // namespace
}  // namespace distill::net
