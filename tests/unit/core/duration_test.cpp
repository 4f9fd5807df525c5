#include "core/duration.hpp"

#include <gtest/gtest.h>

namespace distill::core {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TEST(DurationTest, ParsesGoDurations) {
  EXPECT_EQ(*parse_duration("30s"), 30 * kSec);
  EXPECT_EQ(*parse_duration("1m30s"), 90 * kSec);
  EXPECT_EQ(*parse_duration("500ms"), kSec / 2);
  EXPECT_EQ(*parse_duration("1.5h"), 5400 * kSec);
  EXPECT_EQ(*parse_duration("2h45m"), (2 * 3600 + 45 * 60) * kSec);
  EXPECT_EQ(*parse_duration("10us"), 10'000);
  EXPECT_EQ(*parse_duration("10\xC2\xB5s"), 10'000);
  EXPECT_EQ(*parse_duration("7ns"), 7);
  EXPECT_EQ(*parse_duration("0"), 0);
  EXPECT_EQ(*parse_duration("0s"), 0);
  EXPECT_EQ(*parse_duration(".5s"), kSec / 2);
  EXPECT_EQ(*parse_duration("1.000000001s"), kSec + 1);
}

TEST(DurationTest, RefusesWhatGoRefuses) {
  for (const char* bad : {"", "5", "s", "1x", "-1s", "+1s", "1.s5", ".s", "1 s", "1s ", "1m30",
                          "99999999999999999999s", "3000000h"}) {
    auto r = parse_duration(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().hint, "") << bad;
    }
  }
}

TEST(DurationTest, FormatsTheShortestText) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(30 * kSec), "30s");
  EXPECT_EQ(format_duration(90 * kSec), "1m30s");
  EXPECT_EQ(format_duration(3600 * kSec), "1h0m0s");
  EXPECT_EQ(format_duration(kSec / 2), "500ms");
  EXPECT_EQ(format_duration(1500 * 1'000'000), "1.5s");
  EXPECT_EQ(format_duration(1'000'000), "1ms");
  for (int64_t v : {int64_t{1}, int64_t{999}, 1500 * kSec, 3601 * kSec + 5})
    EXPECT_EQ(*parse_duration(format_duration(v)), v) << v;
}

}  // namespace
}  // namespace distill::core
