#include "runtime/bundle.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "image/image_source.hpp"
#include "runtime/rootfs_writer.hpp"
#include "transport/open.hpp"
#include "unit/image/image_test_util.hpp"

using namespace distill;
using namespace distill::runtime;
using namespace distill::image::test_util;
namespace fs = std::filesystem;

namespace {

image::LayerEntry entry(std::string path, image::FileType type, uint32_t mode, int64_t size = 0) {
  image::LayerEntry e;
  e.path = std::move(path);
  e.type = type;
  e.mode = mode;
  e.size = size;
  return e;
}

image::ContentReader content_of(std::string data) {
  return image::ContentReader::of(std::move(data));
}

class RootfsWriterTest : public TempFolderTest {
 protected:
  void SetUp() override {
    TempFolderTest::SetUp();
    root_ = path("rootfs");
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    writer_ = std::make_unique<RootfsWriter>(
        core::UniqueFd(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)));
  }
  core::Status put(const image::LayerEntry& e, std::string data = {}) {
    return writer_->apply(e, content_of(std::move(data)));
  }
  struct stat lstat_of(const std::string& rel) {
    struct stat st {};
    EXPECT_EQ(::lstat((root_ + "/" + rel).c_str(), &st), 0) << rel;
    return st;
  }

  std::string root_;
  std::unique_ptr<RootfsWriter> writer_;
};

TEST_F(RootfsWriterTest, WritesFilesWithOwnersModesAndSetuidBits) {
  auto f = entry("usr/bin/tool", image::FileType::kRegular, 04755, 5);
  f.uid = 65532;
  f.gid = 65533;
  f.mtime = 1000;
  ASSERT_TRUE(put(f, "hello").ok());
  struct stat st = lstat_of("usr/bin/tool");
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_uid, 65532u);
  EXPECT_EQ(st.st_gid, 65533u);
  EXPECT_EQ(st.st_mtime, 1000);
  EXPECT_EQ(st.st_size, 5);
  EXPECT_EQ(lstat_of("usr").st_mode & 07777, 0755u) << "implicit parents";
  auto d = entry("tmp", image::FileType::kDirectory, 01777);
  ASSERT_TRUE(put(d).ok());
  EXPECT_EQ(lstat_of("tmp").st_mode & 07777, 01777u);
}

TEST_F(RootfsWriterTest, SymlinksAreCreatedButNeverFollowed) {
  auto link = entry("etc", image::FileType::kSymlink, 0777);
  link.link_target = "/";
  ASSERT_TRUE(put(link).ok());
  EXPECT_TRUE(S_ISLNK(lstat_of("etc").st_mode));
  // A later member under the symlink would land outside the image's etc.
  auto escape = entry("etc/passwd", image::FileType::kRegular, 0644, 4);
  auto s = put(escape, "evil");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find("symlink"), std::string::npos) << s.error().message();
  EXPECT_FALSE(fs::exists(root_ + "/passwd"));
  // Nor through a symlink to an absolute host path.
  auto host = entry("host", image::FileType::kSymlink, 0777);
  host.link_target = dir_->path();
  ASSERT_TRUE(put(host).ok());
  EXPECT_FALSE(put(entry("host/escaped", image::FileType::kRegular, 0644)).ok());
  EXPECT_FALSE(fs::exists(dir_->path() + "/escaped"));
}

TEST_F(RootfsWriterTest, DevicesAreSkippedAndHardLinksShareTheInode) {
  ASSERT_TRUE(put(entry("dev/null", image::FileType::kCharDevice, 0666)).ok());
  EXPECT_FALSE(fs::exists(root_ + "/dev/null"));
  EXPECT_EQ(writer_->skipped(), 1u);
  ASSERT_TRUE(put(entry("a", image::FileType::kRegular, 0644, 1), "x").ok());
  auto h = entry("b", image::FileType::kRegular, 0644);
  h.hardlink_to = "a";
  ASSERT_TRUE(put(h).ok());
  EXPECT_EQ(lstat_of("a").st_ino, lstat_of("b").st_ino);
  auto bad = entry("c", image::FileType::kRegular, 0644);
  bad.hardlink_to = "missing";
  EXPECT_FALSE(put(bad).ok());
}

TEST_F(RootfsWriterTest, WhiteoutsRemoveLowerEntries) {
  ASSERT_TRUE(put(entry("d/x", image::FileType::kRegular, 0644)).ok());
  ASSERT_TRUE(put(entry("d/y/z", image::FileType::kRegular, 0644)).ok());
  ASSERT_TRUE(put(entry("e/keep", image::FileType::kRegular, 0644)).ok());
  ASSERT_TRUE(put(entry("d/.wh.x", image::FileType::kRegular, 0)).ok());
  EXPECT_FALSE(fs::exists(root_ + "/d/x"));
  EXPECT_TRUE(fs::exists(root_ + "/d/y/z"));
  ASSERT_TRUE(put(entry("d/.wh..wh..opq", image::FileType::kRegular, 0)).ok());
  EXPECT_TRUE(fs::is_directory(root_ + "/d"));
  EXPECT_TRUE(fs::is_empty(root_ + "/d"));
  EXPECT_TRUE(fs::exists(root_ + "/e/keep"));
  EXPECT_TRUE(put(entry("nowhere/.wh.x", image::FileType::kRegular, 0)).ok());
}

class BundleTest : public TempFolderTest {};

TEST_F(BundleTest, UnpacksLayersInOrderWithWhiteoutsOfLowerLayersOnly) {
  std::vector<std::string> tars = {
      make_tar({dir("etc"), file("etc/passwd", "root:x:0:0::/root:/sbin/nologin\n"),
                file("etc/old", "1"), dir("opt"), file("opt/a", "a"),
                file("bin/tool", "t", 04755)}),
      // Same layer: the new opt/b survives the opaque marker whatever the order.
      make_tar({file("opt/b", "b"), whiteout("opt/.wh..wh..opq"), whiteout("etc/.wh.old"),
                sym("etc/link", "../../../../etc/shadow")}),
  };
  std::string layout = path("oci");
  write_layout(layout, {image_of(dir_->path(), tars)});
  auto source = transport::open_image(layout);
  ASSERT_TRUE(source.ok()) << source.error().message();
  std::string bundle_path;
  {
    auto b = Bundle::unpack((*source)->reader(), (*source)->images().at(0), dir_->path());
    ASSERT_TRUE(b.ok()) << b.error().message();
    bundle_path = b->path();
    std::string r = b->rootfs();
    EXPECT_EQ((fs::status(r).permissions() & fs::perms::all), fs::perms(0755));
    EXPECT_TRUE(fs::exists(r + "/etc/passwd"));
    EXPECT_FALSE(fs::exists(r + "/etc/old"));
    EXPECT_FALSE(fs::exists(r + "/opt/a"));
    EXPECT_TRUE(fs::exists(r + "/opt/b"));
    EXPECT_EQ(fs::status(r + "/bin/tool").permissions() & fs::perms::set_uid, fs::perms::set_uid);
    auto passwd = b->read_rootfs_file("etc/passwd");
    ASSERT_TRUE(passwd.ok());
    EXPECT_EQ(*passwd, "root:x:0:0::/root:/sbin/nologin\n");
    EXPECT_FALSE(b->read_rootfs_file("etc/link").ok()) << "a symlink is never followed";
    ASSERT_TRUE(b->write_config("{}").ok());
    EXPECT_TRUE(fs::exists(bundle_path + "/config.json"));
  }
  EXPECT_FALSE(fs::exists(bundle_path)) << "removed with everything in it";
}

// run.md: absolute member names land inside the root, as Docker reads them;
// FIFOs are created with the layer's owner and mode.
TEST_F(BundleTest, AbsoluteNamesLandInsideTheRootAndFifosAreCreated) {
  std::vector<std::string> tars = {
      make_tar({file("/etc/motd", "hi\n"), {"run/pipe", Member::kFifo, {}, {}, 0640}})};
  std::string layout = path("oci");
  write_layout(layout, {image_of(dir_->path(), tars)});
  auto source = transport::open_image(layout);
  ASSERT_TRUE(source.ok()) << source.error().message();
  auto b = Bundle::unpack((*source)->reader(), (*source)->images().at(0), dir_->path());
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_EQ(*b->read_rootfs_file("etc/motd"), "hi\n");
  struct stat st {};
  ASSERT_EQ(::lstat((b->rootfs() + "/run/pipe").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_F(BundleTest, RefusesAnEscapeThroughASymlinkedParent) {
  std::vector<std::string> tars = {make_tar({sym("evil", "/"), file("evil/tmp/escaped", "x")})};
  std::string layout = path("oci");
  write_layout(layout, {image_of(dir_->path(), tars)});
  auto source = transport::open_image(layout);
  ASSERT_TRUE(source.ok());
  auto b = Bundle::unpack((*source)->reader(), (*source)->images().at(0), dir_->path());
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message().find("evil"), std::string::npos) << b.error().message();
  EXPECT_FALSE(fs::exists("/tmp/escaped"));
  // Only the layout and its blobs remain: the failed bundle is gone.
  for (const auto& e : fs::directory_iterator(dir_->path()))
    EXPECT_EQ(e.path().filename().string().rfind("distill-bundle", 0), std::string::npos);
}

}  // namespace
