#include "core/units.hpp"

#include <gtest/gtest.h>

namespace distill::core {
namespace {

TEST(HumanSize, UsesBinaryUnitsWithOneDecimal) {
  EXPECT_EQ(human_size(0), "0 B");
  EXPECT_EQ(human_size(1023), "1023 B");
  EXPECT_EQ(human_size(1536), "1.5 KiB");
  EXPECT_EQ(human_size(static_cast<uint64_t>(23.4 * 1024 * 1024)), "23.4 MiB");
  EXPECT_EQ(human_size(3ull << 30), "3.0 GiB");
  EXPECT_EQ(human_size(5ull << 50), "5120.0 TiB");  // TiB is the largest unit
}

}  // namespace
}  // namespace distill::core
