#include "builder/rootfs_import.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/file_util.hpp"
#include "image/image_source.hpp"
#include "image/rootfs_view.hpp"
#include "transport/open.hpp"
#include "unit/image/image_test_util.hpp"

namespace distill::builder {
namespace {

namespace it = image::test_util;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RootfsImportTest : public it::TempFolderTest {
 protected:
  std::string write_tar(const std::string& name, const std::vector<it::Member>& members,
                        oci::Compression c = oci::Compression::kNone) {
    std::string p = path(name);
    EXPECT_TRUE(core::write_file_atomic(p, it::compress(it::make_tar(members), c)).ok());
    return p;
  }

  core::Result<image::RootfsView> read_back(const std::string& out) {
    DISTILL_ASSIGN(auto source, transport::open_image(out));
    if (source->images().size() != 1) return core::make_error(out, "want one image");
    image::RootfsOptions o;
    o.keep_content = [](std::string_view) { return true; };
    return image::RootfsView::read(source->reader(), source->images()[0], o);
  }
};

const std::vector<it::Member> kRootfs = {
    it::dir("./"),
    it::dir("./etc/"),
    it::file("./etc/hostname", "box\n"),
    it::file("/etc/motd", "hi\n"),  // absolute: relative to the root
    it::dir("./usr/bin/"),
    it::file("./usr/bin/su", "su", 04755),
    it::hard("./usr/bin/su2", "./usr/bin/su"),
    it::sym("./bin", "usr/bin"),
    {"./dev/null", it::Member::kCharDevice, {}, {}, 0666},
    it::file("./etc/hostname", "replaced\n"),  // the later member wins
};

TEST_F(RootfsImportTest, ImportsNormalisedMembersAndDropsDevices) {
  ImportOptions o;
  o.output = path("out");
  o.platform = "linux/arm64";
  o.tags = {"rootfs:1"};
  auto r = import_rootfs(write_tar("rootfs.tar", kRootfs), o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_THAT(r->dropped, ElementsAre("dev/null"));
  auto fs = read_back(path("out"));
  ASSERT_TRUE(fs.ok()) << fs.error().message();
  EXPECT_EQ(*fs->read_file("etc/hostname"), "replaced\n");
  EXPECT_EQ(*fs->read_file("etc/motd"), "hi\n");
  EXPECT_EQ(fs->find("usr/bin/su")->mode, 04755u);
  EXPECT_EQ(*fs->read_file("usr/bin/su2"), "su");
  EXPECT_EQ(fs->find("bin")->link_target, "usr/bin");
  EXPECT_EQ(fs->find("dev/null"), nullptr);
  auto source = transport::open_image(path("out"));
  ASSERT_TRUE(source.ok());
  EXPECT_EQ((*source)->images()[0].config.platform.str(), "linux/arm64");
  EXPECT_THAT((*source)->images()[0].ref_names, ElementsAre("1"));
}

TEST_F(RootfsImportTest, DeterministicWhateverTheCompression) {
  ImportOptions o;
  o.output = path("a");
  auto a = import_rootfs(write_tar("a.tar", kRootfs), o);
  o.output = path("b");
  auto b = import_rootfs(write_tar("b.tar.zst", kRootfs, oci::Compression::kZstd), o);
  o.output = path("c.tar");
  o.format = transport::Transport::kDockerArchive;
  auto c = import_rootfs(write_tar("c.tar.gz", kRootfs, oci::Compression::kGzip), o);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->digest, b->digest);
  EXPECT_EQ(a->digest, c->digest);
}

TEST_F(RootfsImportTest, RefusesUnsafeNamesAndDanglingHardLinks) {
  ImportOptions o;
  o.output = path("out");
  auto r = import_rootfs(write_tar("bad.tar", {it::file("../evil", "x")}), o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("member '../evil'"));
  r = import_rootfs(write_tar("hl.tar", {it::hard("a", "missing")}), o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().what, HasSubstr("hard link to missing"));
  r = import_rootfs(path("nope.tar"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(core::path_exists(path("out")));
}

}  // namespace
}  // namespace distill::builder
