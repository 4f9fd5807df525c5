#include "core/progress.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

using distill::core::Progress;
using ::testing::ElementsAre;

namespace {

struct Screen {
  std::vector<std::string> writes;
  std::chrono::steady_clock::time_point now{};
  Progress::Writer writer() {
    return [this](std::string_view s) { writes.emplace_back(s); };
  }
  Progress::TimeSource clock() {
    return [this] { return now; };
  }
};

TEST(Progress, RedrawsAtMostEveryInterval) {
  Screen screen;
  {
    Progress p("", 40, 80 << 20, screen.writer(), screen.clock());
    p.add_bytes(1 << 20);  // first update draws at once
    for (int i = 0; i < 100; ++i) p.add_bytes(1024);
    EXPECT_EQ(screen.writes.size(), 1u);
    screen.now += std::chrono::milliseconds(150);
    p.item_done();
    EXPECT_EQ(screen.writes.size(), 2u);
    p.finish();
    p.finish();  // idempotent
  }              // the destructor does not add another line
  ASSERT_EQ(screen.writes.size(), 4u);
  EXPECT_EQ(screen.writes[0], "\r[0/40] 1.0 MiB / 80.0 MiB");
  EXPECT_EQ(screen.writes[1], "\r[1/40] 1.1 MiB / 80.0 MiB");
  EXPECT_EQ(screen.writes[2], "\r[1/40] 1.1 MiB / 80.0 MiB");
  EXPECT_EQ(screen.writes[3], "\n");
}

TEST(Progress, ShorterLineBlanksTheOldTail) {
  Screen screen;
  Progress p("Downloading", 2, 2048, screen.writer(), screen.clock());
  p.add_bytes(2048);
  screen.now += std::chrono::seconds(1);
  p.add_bytes(-2048);  // a retry discarded the bytes
  EXPECT_EQ(screen.writes[0], "\rDownloading [0/2] 2.0 KiB / 2.0 KiB");
  EXPECT_EQ(screen.writes[1], "\rDownloading [0/2] 0 B / 2.0 KiB    ");
}

TEST(Progress, ThreadSafe) {
  std::vector<std::string> writes;
  {
    Progress p(
        "", 800, 800 * 10, [&](std::string_view s) { writes.emplace_back(s); },
        [] { return std::chrono::steady_clock::now(); }, std::chrono::milliseconds(0));
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&p] {
        for (int i = 0; i < 100; ++i) {
          p.add_bytes(10);
          p.item_done();
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  ASSERT_GE(writes.size(), 2u);
  EXPECT_EQ(writes[writes.size() - 2], "\r[800/800] 7.8 KiB / 7.8 KiB");
  EXPECT_EQ(writes.back(), "\n");
}

}  // namespace

namespace {

// Off a terminal: whole lines, the first only after an interval, then at most
// one per interval, and the final state at the end.
TEST(Progress, LinesOffTerminal) {
  Screen screen;
  {
    Progress p("Downloading", 3, 3 << 20, screen.writer(), screen.clock(),
               std::chrono::milliseconds(100), Progress::Style::kLines);
    p.add_bytes(1 << 20);
    p.item_done();
    screen.now += std::chrono::seconds(1);
    p.add_bytes(1 << 20);
    EXPECT_TRUE(screen.writes.empty());
    screen.now += Progress::kLineInterval;
    p.item_done();
    screen.now += std::chrono::seconds(1);
    p.add_bytes(1 << 20);
    p.item_done();
  }
  EXPECT_THAT(screen.writes, ElementsAre("Downloading [2/3] 2.0 MiB / 3.0 MiB\n",
                                         "Downloading [3/3] 3.0 MiB / 3.0 MiB\n"));
}

TEST(Progress, ShortTransferOffTerminalShowsOnlyItsEnd) {
  Screen screen;
  {
    Progress p("", 1, 10, screen.writer(), screen.clock(), std::chrono::milliseconds(100),
               Progress::Style::kLines);
    p.add_bytes(10);
    p.item_done();
  }
  EXPECT_THAT(screen.writes, ElementsAre("[1/1] 10 B / 10 B\n"));
}

}  // namespace
