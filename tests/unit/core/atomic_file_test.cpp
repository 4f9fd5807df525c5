#include "core/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/file_util.hpp"
#include "core/temp_dir.hpp"

using namespace distill::core;

TEST(AtomicFile, CommitReplacesTarget) {
  auto dir = TempDir::create();
  ASSERT_TRUE(dir.ok());
  std::string path = dir->path() + "/out";
  ASSERT_TRUE(write_file_atomic(path, "old").ok());
  {
    auto f = AtomicFile::create(path);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->write("new").ok());
    EXPECT_EQ(*read_file(path), "old");  // not visible before commit
    ASSERT_TRUE(f->commit().ok());
  }
  EXPECT_EQ(*read_file(path), "new");
}

TEST(AtomicFile, AbandonedWriteLeavesNothing) {
  auto dir = TempDir::create();
  ASSERT_TRUE(dir.ok());
  std::string path = dir->path() + "/out";
  std::string temp;
  {
    auto f = AtomicFile::create(path);
    ASSERT_TRUE(f.ok());
    temp = f->temp_path();
    ASSERT_TRUE(f->write("partial").ok());
    EXPECT_TRUE(path_exists(temp));
  }
  EXPECT_FALSE(path_exists(path));
  EXPECT_FALSE(path_exists(temp));
}

TEST(AtomicFile, ModeIgnoresUmask) {
  auto dir = TempDir::create();
  ASSERT_TRUE(dir.ok());
  mode_t old = ::umask(077);
  std::string path = dir->path() + "/out";
  ASSERT_TRUE(write_file_atomic(path, "x", 0644).ok());
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST(Error, MessageShape) {
  Error e = make_error("distill.yaml:3", "unknown key 'pakages'", "did you mean 'packages'?");
  EXPECT_EQ(e.message(), "distill.yaml:3: unknown key 'pakages' (did you mean 'packages'?)");
  EXPECT_EQ(e.with_where("build").message(),
            "build: distill.yaml:3: unknown key 'pakages' (did you mean 'packages'?)");
}
