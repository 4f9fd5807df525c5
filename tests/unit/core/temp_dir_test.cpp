#include "core/temp_dir.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "core/atomic_file.hpp"
#include "core/file_util.hpp"
#include "core/unique_fd.hpp"

using namespace distill::core;

namespace {

// The pid of a process that has exited and been reaped.
pid_t gone_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

// A folder `levels` deep under `root` (mkdirat one level at a time, as no
// path to its bottom fits in PATH_MAX), with a file at the bottom.
void make_deep_tree(const std::string& root, int levels) {
  ASSERT_EQ(::mkdir(root.c_str(), 0755), 0);
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY));
  for (int i = 0; i < levels; ++i) {
    ASSERT_EQ(::mkdirat(fd.get(), "d", 0755), 0) << "level " << i;
    fd.reset(::openat(fd.get(), "d", O_RDONLY | O_DIRECTORY));
    ASSERT_TRUE(fd) << "level " << i;
  }
  UniqueFd f(::openat(fd.get(), "bottom", O_CREAT | O_WRONLY, 0644));
  ASSERT_TRUE(f);
}

}  // namespace

TEST(RemoveTree, RemovesATreeDeeperThanPathMax) {
  auto dir = TempDir::create();
  ASSERT_TRUE(dir.ok());
  std::string root = dir->path() + "/deep";
  make_deep_tree(root, 2100);  // "d/" * 2100 is 4200 bytes, past PATH_MAX
  auto status = remove_tree(root);
  EXPECT_TRUE(status.ok()) << status.error().message();
  EXPECT_FALSE(path_exists(root));
}

TEST(RemoveTree, DoesNotFollowSymlinks) {
  auto dir = TempDir::create();
  ASSERT_TRUE(dir.ok());
  std::string keep = dir->path() + "/keep";
  ASSERT_TRUE(make_dirs(keep).ok());
  ASSERT_TRUE(write_file_atomic(keep + "/file", "x").ok());
  std::string tree = dir->path() + "/tree";
  ASSERT_TRUE(make_dirs(tree + "/sub").ok());
  ASSERT_EQ(::symlink(keep.c_str(), (tree + "/sub/link").c_str()), 0);
  ASSERT_TRUE(remove_tree(tree).ok());
  EXPECT_FALSE(path_exists(tree));
  EXPECT_TRUE(path_exists(keep + "/file"));
}

// A writer killed before commit() left "<out>.distill-tmp.<pid>.XXXXXX";
// the next writer of <out> removes it, but never one whose owner lives
// (its pid exists) or whose lock is held (a live process keeps it open).
TEST(AtomicFile, RemovesTheTemporariesOfDeadWritersOnly) {
  auto dir = TempDir::create();
  ASSERT_TRUE(dir.ok());
  std::string out = dir->path() + "/out";
  pid_t dead = gone_pid();
  std::string stale_file = out + ".distill-tmp." + std::to_string(dead) + ".aaaaaa";
  std::string stale_dir = out + ".distill-tmp." + std::to_string(dead) + ".bbbbbb";
  std::string locked = out + ".distill-tmp." + std::to_string(dead) + ".cccccc";
  std::string alive = out + ".distill-tmp." + std::to_string(::getppid()) + ".dddddd";
  std::string other = dir->path() + "/other.distill-tmp." + std::to_string(dead) + ".eeeeee";
  for (const auto& f : {stale_file, locked, alive, other})
    ASSERT_TRUE(write_file_atomic(f, "partial").ok());
  make_deep_tree(stale_dir, 2100);
  UniqueFd lock(::open(locked.c_str(), O_RDONLY));
  ASSERT_EQ(::flock(lock.get(), LOCK_EX), 0);

  auto f = AtomicFile::create(out);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(path_exists(stale_file));
  EXPECT_FALSE(path_exists(stale_dir));
  EXPECT_TRUE(path_exists(locked)) << "its lock is held";
  EXPECT_TRUE(path_exists(alive)) << "its owner runs";
  EXPECT_TRUE(path_exists(other)) << "another target's";
  EXPECT_TRUE(path_exists(f->temp_path()));
}

TEST(TempDir, RemovesTheFoldersOfDeadProcessesOfItsPrefix) {
  auto dir = TempDir::create();
  ASSERT_TRUE(dir.ok());
  pid_t dead = gone_pid();
  std::string stale = dir->path() + "/distill-bundle." + std::to_string(dead) + ".ABCDEF";
  std::string alive = dir->path() + "/distill-bundle." + std::to_string(::getppid()) + ".ABCDEF";
  std::string other = dir->path() + "/distill-runc." + std::to_string(dead) + ".ABCDEF";
  make_deep_tree(stale, 2100);
  ASSERT_TRUE(make_dirs(alive).ok());
  ASSERT_TRUE(make_dirs(other).ok());
  auto bundle = TempDir::create(dir->path(), "distill-bundle");
  ASSERT_TRUE(bundle.ok());
  EXPECT_FALSE(path_exists(stale));
  EXPECT_TRUE(path_exists(alive));
  EXPECT_TRUE(path_exists(other));
}
