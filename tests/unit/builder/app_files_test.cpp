#include "builder/app_files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>

#include "builder/app_layer.hpp"
#include "core/file_util.hpp"
#include "core/temp_dir.hpp"

namespace distill::builder {
namespace {

class AppFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = core::TempDir::create();
    ASSERT_TRUE(d.ok());
    tmp_.emplace(std::move(*d));
    dir_ = tmp_->path();
  }

  void write(const std::string& rel, const std::string& text, mode_t mode = 0644) {
    std::string path = dir_ + "/" + rel;
    ASSERT_TRUE(core::make_dirs(path.substr(0, path.rfind('/'))).ok());
    ASSERT_TRUE(core::write_file_atomic(path, text, static_cast<int>(mode)).ok());
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  core::Result<Spec> spec(const std::string& files_yaml) {
    std::string yaml = "files:\n" + files_yaml;
    EXPECT_TRUE(core::write_file_atomic(dir_ + "/distill.yaml", yaml).ok());
    return parse_spec(yaml, dir_ + "/distill.yaml", dir_);
  }

  // path -> "type mode target"
  std::map<std::string, std::string> entries(const std::string& files_yaml) {
    auto s = spec(files_yaml);
    EXPECT_TRUE(s.ok()) << s.error().message();
    if (!s.ok()) return {};
    auto e = app_file_entries(*s);
    EXPECT_TRUE(e.ok()) << e.error().message();
    std::map<std::string, std::string> out;
    if (!e.ok()) return out;
    for (const auto& x : *e)
      out[x.path] = std::string(oci::entry_type_name(x.type)) + " " + std::to_string(x.mode) +
                    (x.link_target.empty() ? "" : " " + x.link_target);
    return out;
  }

  std::string error_of(const std::string& files_yaml) {
    auto s = spec(files_yaml);
    if (!s.ok()) return s.error().message();
    auto e = app_file_entries(*s);
    return e.ok() ? "<ok>" : e.error().message();
  }

  std::optional<core::TempDir> tmp_;
  std::string dir_;
};

TEST_F(AppFilesTest, SymlinksStayAsWrittenAndAreNeverFollowed) {
  write("app/semver/bin/semver.js", "js", 0755);
  ASSERT_EQ(::symlink("../semver/bin/semver.js", (dir_ + "/app/dotbin").c_str()), 0);
  ASSERT_EQ(::symlink("/etc/ssl/certs/java/cacerts", (dir_ + "/app/cacerts").c_str()), 0);
  ASSERT_EQ(::symlink("missing", (dir_ + "/app/dangling").c_str()), 0);
  ASSERT_EQ(::symlink("semver", (dir_ + "/app/dirlink").c_str()), 0);
  auto got = entries("  - {src: app/, dst: /app}\n");
  EXPECT_EQ(got["app/dotbin"], "symlink 511 ../semver/bin/semver.js");
  EXPECT_EQ(got["app/cacerts"], "symlink 511 /etc/ssl/certs/java/cacerts");
  EXPECT_EQ(got["app/dangling"], "symlink 511 missing");
  EXPECT_EQ(got["app/dirlink"], "symlink 511 semver");
  EXPECT_EQ(got["app/semver/bin/semver.js"], "regular file 493");
  EXPECT_FALSE(got.count("app/dirlink/bin"));
  EXPECT_EQ(got.size(), 8u);  // app, semver, semver/bin and the five above
}

TEST_F(AppFilesTest, HardLinksPointAtTheFirstSortedPath) {
  write("app/b/data", "same");
  ASSERT_EQ(::link((dir_ + "/app/b/data").c_str(), (dir_ + "/app/a").c_str()), 0);
  ASSERT_EQ(::link((dir_ + "/app/b/data").c_str(), (dir_ + "/app/c").c_str()), 0);
  auto got = entries("  - {src: app, dst: /srv/}\n");
  EXPECT_EQ(got["srv/a"], "regular file 420");
  EXPECT_EQ(got["srv/b/data"], "hardlink 420 srv/a");
  EXPECT_EQ(got["srv/c"], "hardlink 420 srv/a");
}

TEST_F(AppFilesTest, OrderIsSortedWhateverTheDirectoryOrder) {
  for (const char* n : {"z", "a", "m", "B", "_"}) write(std::string("app/") + n, n);
  auto s = spec("  - {src: app, dst: /app}\n");
  ASSERT_TRUE(s.ok());
  auto e = app_file_entries(*s);
  ASSERT_TRUE(e.ok());
  std::vector<std::string> paths;
  for (const auto& x : *e) paths.push_back(x.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"app", "app/B", "app/_", "app/a", "app/m", "app/z"}));
}

TEST_F(AppFilesTest, DefaultExcludesAndTheIgnoreFile) {
  write("app/main.py", "print()");
  write("app/.git/config", "x");
  write("app/.env", "TOKEN=1");
  write("app/.env.local", "TOKEN=2");
  write("app/__pycache__/m.cpython-311.pyc", "c");
  write("app/x.pyc", "c");
  write("app/deep/er/.git/HEAD", "x");
  write("app/logs/today.log", "l");
  write("app/logs/keep.log", "k");
  auto got = entries("  - {src: ., dst: /srv}\n");
  EXPECT_EQ(got.count("srv/app/main.py"), 1u);
  for (const char* gone :
       {"srv/app/.git", "srv/app/.env", "srv/app/.env.local", "srv/app/__pycache__",
        "srv/app/x.pyc", "srv/app/deep/er/.git", "srv/distill.yaml"})
    EXPECT_EQ(got.count(gone), 0u) << gone;
  write(".distillignore", "app/logs\n!app/logs/keep.log\n!**/.env.local\n");
  got = entries("  - {src: ., dst: /srv}\n");
  EXPECT_EQ(got.count("srv/app/logs/today.log"), 0u);
  EXPECT_EQ(got["srv/app/logs"], "directory 493");
  EXPECT_EQ(got.count("srv/app/logs/keep.log"), 1u);
  EXPECT_EQ(got.count("srv/app/.env.local"), 1u);
  EXPECT_EQ(got.count("srv/app/.env"), 0u);
  EXPECT_EQ(got.count("srv/.distillignore"), 0u);
}

TEST_F(AppFilesTest, IgnoreFileMatchesFromTheSpecFolderAndNamedSourcesAreKept) {
  write("app/build/out.o", "o");
  write("app/build/.env", "A=1");
  write("app/src/x.c", "c");
  write(".distillignore", "app/build\napp/src/x.c\n");
  auto got = entries(
      "  - {src: app, dst: /a}\n  - {src: app/build, dst: /b}\n"
      "  - {src: app/src/x.c, dst: /c/x.c}\n");
  EXPECT_EQ(got.count("a/build"), 0u);
  EXPECT_EQ(got.count("a/src/x.c"), 0u);
  // Named as src: the folder's own name is no excluded parent, the file is copied.
  EXPECT_EQ(got.count("b/out.o"), 1u);
  EXPECT_EQ(got.count("b/.env"), 0u);
  EXPECT_EQ(got.count("c/x.c"), 1u);
}

TEST_F(AppFilesTest, EntryExcludeIsRelativeToItsSource) {
  write("app/test/t.py", "t");
  write("app/test/fixture.json", "f");
  write("app/main.py", "m");
  auto got = entries("  - src: app\n    dst: /app\n    exclude: [test, '!test/fixture.json']\n");
  EXPECT_EQ(got.count("app/main.py"), 1u);
  EXPECT_EQ(got.count("app/test/t.py"), 0u);
  EXPECT_EQ(got.count("app/test/fixture.json"), 1u);
}

TEST_F(AppFilesTest, ErrorsNameTheSpecLineAndHostPath) {
  write("app/ok", "x");
  ASSERT_EQ(::mkfifo((dir_ + "/app/pipe").c_str(), 0644), 0);
  std::string err = error_of("  - {src: README, dst: /r}\n  - {src: app, dst: /app}\n");
  // The first entry's src does not exist: the parser says so.
  EXPECT_NE(err.find("distill.yaml:2"), std::string::npos) << err;
  write("README", "r");
  err = error_of("  - {src: README, dst: /r}\n  - {src: app, dst: /app}\n");
  EXPECT_NE(err.find("distill.yaml:3: files: " + dir_ + "/app/pipe: is a FIFO"), std::string::npos)
      << err;
  write(".distillignore", "ok\n[\n");
  err = error_of("  - {src: README, dst: /r}\n");
  EXPECT_NE(err.find(dir_ + "/.distillignore:2: bad pattern '['"), std::string::npos) << err;
  ASSERT_EQ(::unlink((dir_ + "/.distillignore").c_str()), 0);
  err = error_of("  - src: app\n    dst: /app\n    exclude: [ok, 'a\\']\n");
  EXPECT_NE(err.find("distill.yaml:4: 'files[0].exclude' item: bad pattern"), std::string::npos)
      << err;
  err = error_of("  - {src: README, dst: /r, exclude: [x]}\n");
  EXPECT_NE(err.find("applies to a folder"), std::string::npos) << err;
}

TEST_F(AppFilesTest, SymlinkedIgnoreFileIsRefused) {
  write("real-ignore", "x\n");
  write("app/x", "x");
  ASSERT_EQ(::symlink("real-ignore", (dir_ + "/.distillignore").c_str()), 0);
  std::string err = error_of("  - {src: app, dst: /app}\n");
  EXPECT_NE(err.find(".distillignore: is not a regular file"), std::string::npos) << err;
}

TEST_F(AppFilesTest, LayerKeyFollowsExactlyTheIncludedEntries) {
  write("app/main.py", "m");
  write("app/notes.txt", "n1");
  write(".distillignore", "app/notes.txt\n");
  BuildOptions opts;
  auto key = [&]() {
    auto s = spec("  - {src: app, dst: /app}\n");
    EXPECT_TRUE(s.ok());
    auto e = app_file_entries(*s);
    EXPECT_TRUE(e.ok());
    auto k = app_layer_key(*e, opts);
    EXPECT_TRUE(k.ok());
    return *k;
  };
  std::string before = key();
  write("app/notes.txt", "n2, changed");
  EXPECT_EQ(key(), before) << "an excluded file's change keeps the layer";
  write(".distillignore", "# nothing left out\n");
  EXPECT_NE(key(), before) << "a file the ignore file no longer leaves out changes it";
}

}  // namespace
}  // namespace distill::builder
