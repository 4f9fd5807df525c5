#include "core/thread_pool.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace distill::core {
namespace {

using ::testing::HasSubstr;

TEST(RunParallelTest, RunsEveryJobAndReportsTheFirstError) {
  std::atomic<int> ran{0};
  ASSERT_TRUE(run_parallel(20, 4, [&](size_t) {
                ++ran;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(ran, 20);
  auto s = run_parallel(20, 4, [&](size_t i) -> Status {
    if (i == 3) return make_error("job", "three failed");
    return Status::Ok();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("three failed"));
}

TEST(RunParallelTest, EachJobRunsOnceIntoItsOwnSlot) {
  std::vector<int> slots(100, 0);
  ASSERT_TRUE(run_parallel(slots.size(), 3, [&](size_t i) {
                slots[i] += static_cast<int>(i);
                return Status::Ok();
              }).ok());
  for (size_t i = 0; i < slots.size(); ++i) EXPECT_EQ(slots[i], static_cast<int>(i));
}

TEST(RunParallelTest, TheLowestFailingJobIsReported) {
  // All jobs fail; whichever finishes first, job 0 started first and is reported.
  for (int threads : {1, 2, 8}) {
    auto s = run_parallel(8, threads, [](size_t i) -> Status {
      return make_error("job " + std::to_string(i), "failed");
    });
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().where, "job 0") << threads << " threads";
  }
}

TEST(RunParallelTest, NoJobStartsAfterAFailureOnOneThread) {
  int ran = 0;
  auto s = run_parallel(10, 1, [&](size_t i) -> Status {
    ++ran;
    return i == 2 ? make_error("job", "failed") : Status::Ok();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(ran, 3);
}

TEST(RunParallelTest, ZeroJobsOrThreadsAreFine) {
  EXPECT_TRUE(run_parallel(0, 4, [](size_t) { return make_error("x", "never runs"); }).ok());
  int ran = 0;
  EXPECT_TRUE(run_parallel(3, 0, [&](size_t) {
                ++ran;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(ran, 3);
}

}  // namespace
}  // namespace distill::core
