#include "runtime/lifecycle.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "core/file_util.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using namespace distill::runtime;

namespace {

// runc as `state`, `kill` and `delete` see it: a status per container id.
class LifecycleFakeRunc : public RuncExecutor {
 public:
  std::vector<std::vector<std::string>> calls;
  std::map<std::string, std::string> status;  // id -> "running", "stopped"
  bool ignores_sigterm = false;
  int exec_code = 0;

  core::Result<int> run_attached(const std::vector<std::string>& argv, const SignalHandler&,
                                 const std::vector<std::string>&) override {
    calls.push_back(argv);
    return exec_code;
  }
  core::Result<core::ProcessResult> run_captured(const std::vector<std::string>& argv) override {
    calls.push_back(argv);
    const std::string& verb = argv.at(3);
    const std::string& id = argv.back();
    if (verb == "state") {
      auto it = status.find(id);
      if (it == status.end()) return core::ProcessResult{1, "", "container does not exist"};
      return core::ProcessResult{0, R"({"status":")" + it->second + R"(","pid":99})", ""};
    }
    if (verb == "kill") {
      const std::string& target = argv.at(4);
      if (argv.back() == "SIGKILL" || !ignores_sigterm) status[target] = "stopped";
    }
    if (verb == "delete") status.erase(id);
    return core::ProcessResult{0, "", ""};
  }
  bool called(const std::string& verb, const std::string& last) const {
    for (const auto& c : calls)
      if (c.size() > 3 && c[3] == verb && c.back() == last) return true;
    return false;
  }
};

class NoSleepClock : public core::Clock {
 public:
  int64_t now() const override { return 1000; }
  void sleep_for(std::chrono::milliseconds d) override { slept += d; }
  std::chrono::milliseconds slept{0};
};

class LifecycleTest : public test_support::TempFolderTest {
 protected:
  void SetUp() override {
    TempFolderTest::SetUp();
    store_ = std::make_unique<StateStore>(path("state"));
    ASSERT_TRUE(store_->prepare().ok());
  }
  // A container folder as `run -d` leaves it, unlocked.
  void add(const std::string& name, Phase phase) {
    ContainerRecord r;
    r.name = name;
    r.image = "img:test";
    r.command = {"/app"};
    r.phase = phase;
    ASSERT_TRUE(store_->claim(r).ok());
    ASSERT_TRUE(core::write_file_atomic(store_->log_path(name), "line 1\nline 2\n").ok());
  }
  Containers containers() { return Containers(runc_, "/usr/sbin/runc", *store_, clock_); }

  LifecycleFakeRunc runc_;
  NoSleepClock clock_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(LifecycleTest, StateFoldersArePrivate) {
  for (const char* sub : {"", "/containers", "/runc", "/new"}) {
    struct stat st {};
    ASSERT_EQ(::stat((path("state") + sub).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u) << sub;
  }
}

TEST_F(LifecycleTest, ANameIsClaimedOnce) {
  add("web", Phase::kRunning);
  ContainerRecord r;
  r.name = "web";
  auto again = store_->claim(r);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().what, "is already in use by a container");
  EXPECT_EQ(std::filesystem::directory_iterator(path("state/new")),
            std::filesystem::directory_iterator())
      << "the refused claim's folder is gone";
}

TEST_F(LifecycleTest, PsKeepsLiveContainersAndRemovesLeftovers) {
  add("up", Phase::kRunning);
  add("done", Phase::kRunning);
  add("half-made", Phase::kCreating);
  add("half-stopped", Phase::kRemoving);
  add("forgotten", Phase::kRunning);
  runc_.status = {{"up", "running"}, {"done", "stopped"}, {"half-made", "running"}};
  auto c = containers();
  auto running = c.list(false);
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].record.name, "up");
  EXPECT_EQ(running[0].status, "running");
  EXPECT_TRUE(runc_.called("delete", "half-made")) << "its container is deleted first";
  EXPECT_FALSE(store_->exists("half-made"));
  EXPECT_FALSE(store_->exists("half-stopped"));
  EXPECT_FALSE(store_->exists("forgotten"));
  auto all = c.list(true);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].record.name, "done");
  EXPECT_EQ(all[0].status, "exited");
}

TEST_F(LifecycleTest, AFolderBeingMadeIsLeftAlone) {
  ContainerRecord r;
  r.name = "busy";
  auto held = store_->claim(r);  // the lock lives as long as `held`
  ASSERT_TRUE(held.ok());
  auto all = containers().list(true);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, "creating");
  EXPECT_TRUE(store_->exists("busy"));
  EXPECT_FALSE(containers().stop("busy", 1).ok());
}

TEST_F(LifecycleTest, StopSendsTermThenRemovesEverything) {
  add("web", Phase::kRunning);
  runc_.status = {{"web", "running"}};
  ASSERT_TRUE(containers().stop("web", 10).ok());
  EXPECT_TRUE(runc_.called("kill", "SIGTERM"));
  EXPECT_FALSE(runc_.called("kill", "SIGKILL"));
  EXPECT_TRUE(runc_.called("delete", "web"));
  EXPECT_FALSE(store_->exists("web"));
  EXPECT_EQ(clock_.slept.count(), 0);
}

TEST_F(LifecycleTest, StopKillsAfterTheGraceTime) {
  add("web", Phase::kRunning);
  runc_.status = {{"web", "running"}};
  runc_.ignores_sigterm = true;
  ASSERT_TRUE(containers().stop("web", 2).ok());
  EXPECT_TRUE(runc_.called("kill", "SIGKILL"));
  EXPECT_EQ(clock_.slept.count(), 2000);
  EXPECT_FALSE(store_->exists("web"));
}

TEST_F(LifecycleTest, UnknownNamesAreOneError) {
  auto c = containers();
  for (const char* name : {"nope", "../etc", "a/b"}) {
    auto s = c.stop(name, 1);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().what, "no such container") << name;
    EXPECT_EQ(s.error().hint, "distill ps -a lists them");
  }
  EXPECT_EQ(c.exec("nope", {"x"}).error().where, "exec nope");
  auto logs = c.logs("nope", false, [](std::string_view) { return core::Status::Ok(); });
  EXPECT_EQ(logs.error().where, "logs nope");
}

TEST_F(LifecycleTest, LogsAndFollow) {
  add("web", Phase::kRunning);
  runc_.status = {{"web", "stopped"}};
  std::string got;
  auto sink = [&](std::string_view s) {
    got += s;
    return core::Status::Ok();
  };
  ASSERT_TRUE(containers().logs("web", true, sink).ok()) << "ends once it has exited";
  EXPECT_EQ(got, "line 1\nline 2\n");
}

TEST_F(LifecycleTest, ExecRunsInTheContainerAndPassesTheCode) {
  add("web", Phase::kRunning);
  runc_.status = {{"web", "running"}};
  runc_.exec_code = 3;
  auto code = containers().exec("web", {"probe", "exit", "3"});
  ASSERT_TRUE(code.ok()) << code.error().message();
  EXPECT_EQ(*code, 3);
  const auto& argv = runc_.calls.back();
  EXPECT_EQ(argv.at(2), path("state") + "/runc");
  EXPECT_EQ(argv.at(3), "exec");
  EXPECT_EQ(std::vector<std::string>(argv.end() - 4, argv.end()),
            (std::vector<std::string>{"web", "probe", "exit", "3"}));
  runc_.status = {{"web", "stopped"}};
  EXPECT_EQ(containers().exec("web", {"x"}).error().what, "is not running");
}

TEST_F(LifecycleTest, ProcessOfARunningContainer) {
  add("web", Phase::kRunning);
  runc_.status = {{"web", "running"}};
  auto pid = containers().process_of("web", "debug");
  ASSERT_TRUE(pid.ok()) << pid.error().message();
  EXPECT_EQ(*pid, 99);
  runc_.status = {{"web", "stopped"}};
  EXPECT_EQ(containers().process_of("web", "debug").error().message(),
            "debug web: is not running (distill logs web shows what it wrote)");
  EXPECT_EQ(containers().process_of("nope", "debug").error().where, "debug nope");
}

TEST_F(LifecycleTest, PsTableEscapesImageText) {
  ContainerStatus row;
  row.record.name = "web";
  row.record.image = "img\x1b[31m";
  row.record.command = {"/app", "a\nb"};
  row.record.created = 940;
  row.status = "running";
  std::string table = ps_table({row}, 1000);
  EXPECT_EQ(table.find('\x1b'), std::string::npos);
  EXPECT_NE(table.find("1 minute ago"), std::string::npos);
  EXPECT_NE(table.find("NAME"), std::string::npos);
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 2);
}

}  // namespace
