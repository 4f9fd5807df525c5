#include "core/parallel.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

using namespace distill;
using ::testing::HasSubstr;

namespace {

TEST(RunParallelTest, RunsEveryJobAndReportsTheFirstError) {
  std::atomic<int> ran{0};
  ASSERT_TRUE(core::run_parallel(20, 4, [&](size_t) {
                ++ran;
                return core::Status::Ok();
              }).ok());
  EXPECT_EQ(ran, 20);
  auto s = core::run_parallel(20, 4, [&](size_t i) -> core::Status {
    if (i == 3) return core::make_error("job", "three failed");
    return core::Status::Ok();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("three failed"));
}

TEST(RunParallelTest, OneThreadRunsInOrderOnTheCaller) {
  std::vector<size_t> order;
  ASSERT_TRUE(core::run_parallel(5, 1, [&](size_t i) {
                order.push_back(i);
                return core::Status::Ok();
              }).ok());
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
}

}  // namespace
