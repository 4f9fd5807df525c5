#include "runtime/runner.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "core/file_util.hpp"
#include "unit/image/image_test_util.hpp"

using namespace distill;
using namespace distill::runtime;

namespace {

// Scripts runc: records every command; `run` may raise signals and fail.
class FakeRunc : public RuncExecutor {
 public:
  std::vector<std::vector<std::string>> calls;
  int exit_code = 0;
  std::vector<int> signals;  // delivered while "running"
  bool fail_to_start = false;
  std::string runc_log;  // written to runc's --log file
  std::string state_dir_seen;
  std::vector<std::string> reap_seen;

  core::Result<int> run_attached(const std::vector<std::string>& argv,
                                 const SignalHandler& on_signal,
                                 const std::vector<std::string>& reap) override {
    calls.push_back(argv);
    reap_seen = reap;
    state_dir_seen = argv.at(2);
    EXPECT_TRUE(std::filesystem::is_directory(state_dir_seen))
        << "state folder exists while running";
    if (fail_to_start) return core::make_error("runc", "cannot start");
    if (!runc_log.empty()) {
      EXPECT_TRUE(core::write_file_atomic(argv.at(4), runc_log).ok());
    }
    for (int s : signals) on_signal(s);
    return exit_code;
  }
  core::Result<core::ProcessResult> run_captured(const std::vector<std::string>& argv) override {
    calls.push_back(argv);
    if (argv.size() > 3 && argv[3] == "run") {
      state_dir_seen = argv.at(2);
      return core::ProcessResult{3, "out", "err"};
    }
    return core::ProcessResult{0, "", ""};
  }
};

class RunnerTest : public image::test_util::TempFolderTest {};

TEST_F(RunnerTest, PassesTheExitCodeAndCleansUp) {
  FakeRunc fake;
  fake.exit_code = 7;
  ContainerRunner runner(fake, "/usr/sbin/runc", dir_->path());
  auto code = runner.run("/bundle");
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 7);
  ASSERT_EQ(fake.calls.size(), 2u);
  const auto& run = fake.calls[0];
  ASSERT_EQ(run.size(), 11u);
  EXPECT_EQ(run[0], "/usr/sbin/runc");
  EXPECT_EQ(run[1], "--root");
  EXPECT_EQ(run[3], "--log");
  EXPECT_EQ(run[4], run[2] + "/runc.log");
  EXPECT_EQ(run[6], "json");
  EXPECT_EQ(run[7], "run");
  EXPECT_EQ(run[8], "--bundle");
  EXPECT_EQ(run[9], "/bundle");
  const std::string id = run[10];
  EXPECT_EQ(fake.calls[1], (std::vector<std::string>{"/usr/sbin/runc", "--root", run[2], "delete",
                                                     "--force", id}));
  EXPECT_EQ(fake.reap_seen, fake.calls[1]) << "what runs should distill die meanwhile";
  EXPECT_FALSE(std::filesystem::exists(fake.state_dir_seen)) << "state folder removed";
  EXPECT_TRUE(std::filesystem::is_empty(dir_->path()));
}

// A state folder of a distill process that is gone (a pid no process has,
// no lock): its containers are deleted, then the folder removed.
TEST_F(RunnerTest, DeletesTheContainersOfDeadRunsFirst) {
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  std::string stale = dir_->path() + "/distill-runc." + std::to_string(dead) + ".ABCDEF";
  ASSERT_TRUE(std::filesystem::create_directories(stale + "/distill-1-1"));
  FakeRunc fake;
  ContainerRunner runner(fake, "runc", dir_->path());
  ASSERT_TRUE(runner.run("/bundle").ok());
  ASSERT_GE(fake.calls.size(), 1u);
  EXPECT_EQ(fake.calls[0], (std::vector<std::string>{"runc", "--root", stale, "delete", "--force",
                                                     "distill-1-1"}));
  EXPECT_FALSE(std::filesystem::exists(stale));
}

TEST_F(RunnerTest, ForwardsSignalsWithRuncKill) {
  FakeRunc fake;
  fake.signals = {SIGINT, SIGKILL};
  fake.exit_code = 130;
  ContainerRunner runner(fake, "runc", dir_->path());
  auto code = runner.run("/bundle");
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 130);
  ASSERT_EQ(fake.calls.size(), 4u);
  const std::string id = fake.calls[0][10];
  EXPECT_EQ(fake.calls[1], (std::vector<std::string>{"runc", "--root", fake.state_dir_seen, "kill",
                                                     id, "SIGINT"}));
  EXPECT_EQ(fake.calls[2][5], "SIGKILL");
  EXPECT_EQ(fake.calls[3][3], "delete");
  EXPECT_TRUE(std::filesystem::is_empty(dir_->path()));
}

TEST_F(RunnerTest, DeletesTheContainerWhenRuncFails) {
  FakeRunc fake;
  fake.fail_to_start = true;
  ContainerRunner runner(fake, "runc", dir_->path());
  EXPECT_FALSE(runner.run("/bundle").ok());
  ASSERT_EQ(fake.calls.size(), 2u);
  EXPECT_EQ(fake.calls[1][3], "delete");
  EXPECT_TRUE(std::filesystem::is_empty(dir_->path()));
}

TEST_F(RunnerTest, RuncStartFailureIsAnErrorNotAnExitCode) {
  FakeRunc fake;
  fake.exit_code = 1;
  fake.runc_log =
      "{\"level\":\"info\",\"msg\":\"starting\"}\n"
      "{\"level\":\"error\",\"msg\":\"runc run failed: unable to start container process: "
      "exec: \\\"/nope\\\": stat /nope: no such file or directory\"}\n";
  ContainerRunner runner(fake, "runc", dir_->path());
  auto r = runner.run("/bundle");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "run");
  EXPECT_NE(r.error().what.find("runc could not start the container: runc run failed"),
            std::string::npos)
      << r.error().what;
  EXPECT_NE(r.error().what.find("stat /nope"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_empty(dir_->path()));

  fake.runc_log = "{\"level\":\"info\",\"msg\":\"fine\"}\n";  // the container's own 1
  auto own = runner.run("/bundle");
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(*own, 1);
}

TEST_F(RunnerTest, CapturedRunsGiveTheOutput) {
  FakeRunc fake;
  ContainerRunner runner(fake, "runc", dir_->path());
  auto r = runner.run_captured("/bundle");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out");
  EXPECT_EQ(fake.calls.back()[3], "delete");
  EXPECT_TRUE(std::filesystem::is_empty(dir_->path()));
}

TEST(SignalNames, AsRuncTakesThem) {
  EXPECT_EQ(signal_name(SIGINT), "SIGINT");
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
}

}  // namespace
