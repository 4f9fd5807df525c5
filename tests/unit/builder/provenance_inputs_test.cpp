#include "builder/provenance_inputs.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <string>

#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/temp_dir.hpp"

namespace distill::builder {
namespace {

class ProvenanceInputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = core::TempDir::create();
    ASSERT_TRUE(d.ok());
    tmp_.emplace(std::move(*d));
    dir_ = tmp_->path();
  }

  void write(const std::string& rel, const std::string& text) {
    std::string path = dir_ + "/" + rel;
    ASSERT_TRUE(core::make_dirs(path.substr(0, path.rfind('/'))).ok());
    ASSERT_TRUE(core::write_file_atomic(path, text, 0644).ok());
  }

  // image path -> sha256, and every entry's annotation checked.
  std::map<std::string, std::string> digests(const std::string& files_yaml) {
    std::string yaml = "files:\n" + files_yaml;
    EXPECT_TRUE(core::write_file_atomic(dir_ + "/distill.yaml", yaml).ok());
    auto s = parse_spec(yaml, dir_ + "/distill.yaml", dir_);
    EXPECT_TRUE(s.ok()) << s.error().message();
    if (!s.ok()) return {};
    auto deps = file_dependencies(*s);
    EXPECT_TRUE(deps.ok()) << deps.error().message();
    std::map<std::string, std::string> out;
    if (!deps.ok()) return out;
    std::string last;
    for (const auto& d : *deps) {
      EXPECT_LT(last, d.name) << "sorted by path, each once";
      last = d.name;
      EXPECT_EQ(d.annotations.at("distill.use"), "file");
      EXPECT_TRUE(d.uri.empty());
      out[d.name] = d.digest.at("sha256");
    }
    return out;
  }

  std::optional<core::TempDir> tmp_;
  std::string dir_;
};

TEST_F(ProvenanceInputsTest, EveryCopiedFileByImagePathAndContentDigest) {
  write("app/main.py", "print('hi')\n");
  write("app/lib/util.py", "X = 1\n");
  write("app/.env", "SECRET=1\n");  // excluded by default: not copied, not listed
  write("config.toml", "a = 1\n");
  ASSERT_EQ(::symlink("main.py", (dir_ + "/app/link.py").c_str()), 0);
  EXPECT_EQ(
      digests("  - {src: config.toml, dst: /etc/app/}\n  - {src: app/, dst: /app}\n"),
      (std::map<std::string, std::string>{{"/app/lib/util.py", core::sha256_hex("X = 1\n")},
                                          {"/app/main.py", core::sha256_hex("print('hi')\n")},
                                          {"/etc/app/config.toml", core::sha256_hex("a = 1\n")}}));
}

TEST_F(ProvenanceInputsTest, NoFilesNoDependencies) {
  EXPECT_TRUE(digests("  []\n").empty());
}

}  // namespace
}  // namespace distill::builder
