#include "runtime/root_cache.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/file_util.hpp"
#include "image/image_source.hpp"
#include "runtime/bundle.hpp"
#include "runtime/rootfs_writer.hpp"
#include "runtime/tree_digest.hpp"
#include "transport/open.hpp"
#include "unit/image/image_test_util.hpp"

using namespace distill;
using namespace distill::runtime;
using namespace distill::image::test_util;
namespace fs = std::filesystem;

namespace {

class RootCacheTest : public TempFolderTest {
 protected:
  // An OCI layout of `tars` (bottom layer first), opened.
  std::unique_ptr<image::ImageSource> open_layout(const std::vector<std::string>& tars) {
    std::string layout = path("oci-" + std::to_string(++layouts_));
    write_layout(layout, {image_of(dir_->path(), tars)});
    auto source = transport::open_image(layout);
    EXPECT_TRUE(source.ok()) << source.error().message();
    return source.ok() ? std::move(*source) : nullptr;
  }
  const oci::PlatformImage& image_of_source(image::ImageSource& s) { return s.images().at(0); }
  std::string cache_root() const { return dir_->path() + "/unpacked"; }

  core::Result<std::string> cached(image::ImageSource& s, size_t layer,
                                   std::vector<std::string>* warnings = nullptr) {
    const auto& img = image_of_source(s);
    RootCache cache(cache_root());
    return cache.layer(s.reader(), img.manifest.layers.at(layer), img.config.diff_ids.at(layer),
                       [&](std::string_view w) {
                         if (warnings) warnings->emplace_back(w);
                       });
  }

  int layouts_ = 0;
};

struct stat stat_of(const std::string& p) {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st;
}

TEST_F(RootCacheTest, TreeDigestChangesWithAnyChangeAndWalksPastPathMax) {
  std::string t = path("tree");
  ASSERT_TRUE(core::make_dirs(t + "/a/b", 0755).ok());
  ASSERT_TRUE(core::write_file_atomic(t + "/a/b/f", "one", 0644).ok());
  auto d1 = tree_digest(t);
  ASSERT_TRUE(d1.ok()) << d1.error().message();
  EXPECT_EQ(*tree_digest(t), *d1) << "the same tree, the same digest";
  {
    std::ofstream f(t + "/a/b/f", std::ios::trunc);  // same size, new content
    f << "two";
  }
  auto d2 = tree_digest(t);
  EXPECT_NE(*d2, *d1);
  ASSERT_EQ(::chmod((t + "/a/b/f").c_str(), 0600), 0);
  auto d3 = tree_digest(t);
  EXPECT_NE(*d3, *d2);
  ASSERT_EQ(::setxattr((t + "/a").c_str(), "user.x", "1", 1, 0) == 0 || errno == ENOTSUP, true);
  auto d4 = tree_digest(t);
  ASSERT_TRUE(core::write_file_atomic(t + "/new", "", 0644).ok());
  EXPECT_NE(*tree_digest(t), *d4);

  // 2100 folders in a row: deeper than PATH_MAX and than the open-files limit.
  std::string deep = path("deep");
  ASSERT_EQ(::mkdir(deep.c_str(), 0755), 0);
  int fd = ::open(deep.c_str(), O_RDONLY | O_DIRECTORY);
  for (int i = 0; i < 2100; ++i) {
    ASSERT_EQ(::mkdirat(fd, "d", 0755), 0);
    int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY);
    ::close(fd);
    fd = next;
  }
  ::close(fd);
  auto dd = tree_digest(deep);
  ASSERT_TRUE(dd.ok()) << dd.error().message();
  EXPECT_EQ(*tree_digest(deep), *dd);
  ASSERT_TRUE(core::remove_tree(deep).ok());
}

TEST_F(RootCacheTest, WhiteoutsBecomeOverlayWhiteoutsInALayerOfItsOwn) {
  std::string root = path("layer");
  ASSERT_EQ(::mkdir(root.c_str(), 0755), 0);
  RootfsWriter writer(core::UniqueFd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)),
                      RootfsWriter::Whiteouts::kOverlay);
  auto put = [&](std::string p, image::FileType type, std::string data = {}) {
    image::LayerEntry e;
    e.path = std::move(p);
    e.type = type;
    e.mode = type == image::FileType::kDirectory ? 0755 : 0644;
    e.size = static_cast<int64_t>(data.size());
    return writer.apply(e, image::ContentReader::of(std::move(data)));
  };
  ASSERT_TRUE(put("etc/.wh.old", image::FileType::kRegular).ok());
  ASSERT_TRUE(put("opt/.wh..wh..opq", image::FileType::kRegular).ok());
  ASSERT_TRUE(put("opt/b", image::FileType::kRegular, "b").ok());
  // The layer's own file wins over its whiteout, in either order.
  ASSERT_TRUE(put("etc/kept", image::FileType::kRegular, "k").ok());
  ASSERT_TRUE(put("etc/.wh.kept", image::FileType::kRegular).ok());
  ASSERT_TRUE(put("etc/.wh.again", image::FileType::kRegular).ok());
  ASSERT_TRUE(put("etc/again", image::FileType::kRegular, "a").ok());

  struct stat st = stat_of(root + "/etc/old");
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, ::makedev(0, 0));
  EXPECT_TRUE(S_ISREG(stat_of(root + "/etc/kept").st_mode));
  EXPECT_TRUE(S_ISREG(stat_of(root + "/etc/again").st_mode));
  EXPECT_FALSE(fs::exists(root + "/etc/.wh.old"));
  char value[4] = {};
  ASSERT_EQ(::getxattr((root + "/opt").c_str(), "trusted.overlay.opaque", value, sizeof value), 1);
  EXPECT_EQ(value[0], 'y');
  EXPECT_TRUE(fs::exists(root + "/opt/b"));
}

TEST_F(RootCacheTest, ALayerIsUnpackedOnceSealedAndPrivate) {
  auto s = open_layout(
      {make_tar({dir("etc"), file("etc/motd", "hi\n"), dir("bin"), file("bin/tool", "t", 04755)})});
  ASSERT_TRUE(s);
  std::vector<std::string> warnings;
  auto first = cached(*s, 0, &warnings);
  ASSERT_TRUE(first.ok()) << first.error().message();
  const std::string hex = image_of_source(*s).config.diff_ids[0].hex();
  EXPECT_EQ(*first, cache_root() + "/sha256/" + hex + "/tree");
  EXPECT_EQ(stat_of(cache_root()).st_mode & 07777, 0700u);
  EXPECT_EQ(stat_of(cache_root() + "/sha256").st_mode & 07777, 0700u);
  EXPECT_EQ(stat_of(*first + "/bin/tool").st_mode & 07777, 04755u);
  auto seal = core::read_file(cache_root() + "/sha256/" + hex + "/seal");
  ASSERT_TRUE(seal.ok());
  EXPECT_EQ(seal->rfind("distill-unpacked-v1 sha256:" + hex + " ", 0), 0u) << *seal;
  ino_t ino = stat_of(*first + "/etc/motd").st_ino;

  auto second = cached(*s, 0, &warnings);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(stat_of(*second + "/etc/motd").st_ino, ino) << "reused, not unpacked again";
  EXPECT_TRUE(warnings.empty());
  // No temporaries left beside it.
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(cache_root() + "/sha256")) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

TEST_F(RootCacheTest, AChangedLayerIsDetectedDroppedAndUnpackedAgain) {
  auto s = open_layout({make_tar({dir("etc"), file("etc/motd", "hi\n")})});
  ASSERT_TRUE(s);
  auto first = cached(*s, 0);
  ASSERT_TRUE(first.ok());
  {
    std::ofstream f(*first + "/etc/motd", std::ios::trunc);  // same size
    f << "HI\n";
  }
  const auto& img = image_of_source(*s);
  RootCache cache(cache_root());
  EXPECT_FALSE(cache.check(img.config.diff_ids[0]).ok());
  std::vector<std::string> warnings;
  auto again = cached(*s, 0, &warnings);
  ASSERT_TRUE(again.ok()) << again.error().message();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("changed on disk"), std::string::npos) << warnings[0];
  EXPECT_EQ(*core::read_file(*again + "/etc/motd"), "hi\n");
  EXPECT_TRUE(cache.check(img.config.diff_ids[0]).ok());

  // A removed seal, a new file: the same.
  ASSERT_TRUE(core::write_file_atomic(*again + "/etc/extra", "x", 0644).ok());
  warnings.clear();
  ASSERT_TRUE(cached(*s, 0, &warnings).ok());
  EXPECT_EQ(warnings.size(), 1u);
  EXPECT_FALSE(fs::exists(*again + "/etc/extra"));
}

TEST_F(RootCacheTest, ABundleIsAnOverlayWithWhiteoutsAndOpaqueFoldersApplied) {
  auto s = open_layout({
      make_tar({dir("etc"), file("etc/passwd", "root:x:0:0::/root:/sbin/nologin\n"),
                file("etc/old", "1"), dir("opt"), file("opt/a", "a")}),
      make_tar({file("opt/b", "b"), whiteout("opt/.wh..wh..opq"), whiteout("etc/.wh.old")}),
  });
  ASSERT_TRUE(s);
  BundleOptions options;
  options.parent = dir_->path();
  options.root_cache = cache_root();
  std::vector<std::string> warnings;
  options.warn = [&](std::string_view w) { warnings.emplace_back(w); };
  std::string bundle_path;
  {
    auto b = Bundle::unpack(s->reader(), image_of_source(*s), options);
    ASSERT_TRUE(b.ok()) << b.error().message();
    ASSERT_TRUE(b->overlay()) << (warnings.empty() ? "" : warnings[0]);
    bundle_path = b->path();
    EXPECT_EQ(stat_of(bundle_path).st_mode & 07777, 0700u);
    std::string r = b->rootfs();
    EXPECT_NE(stat_of(r).st_dev, stat_of(bundle_path).st_dev) << "a mount";
    EXPECT_TRUE(fs::exists(r + "/etc/passwd"));
    EXPECT_FALSE(fs::exists(r + "/etc/old"));
    EXPECT_FALSE(fs::exists(r + "/opt/a"));
    EXPECT_TRUE(fs::exists(r + "/opt/b"));
    EXPECT_EQ(*b->read_rootfs_file("etc/passwd"), "root:x:0:0::/root:/sbin/nologin\n");
    // Writes land in the bundle, never in the cache.
    ASSERT_TRUE(core::write_file_atomic(r + "/etc/passwd", "changed\n", 0644).ok());
    EXPECT_TRUE(fs::exists(bundle_path + "/upper/etc/passwd"));
  }
  EXPECT_FALSE(fs::exists(bundle_path)) << "unmounted and removed";
  RootCache cache(cache_root());
  for (const auto& id : image_of_source(*s).config.diff_ids)
    EXPECT_TRUE(cache.check(id).ok()) << "the cached layers are untouched";
  EXPECT_TRUE(warnings.empty());
}

TEST_F(RootCacheTest, AnOverlayThatCannotBeMountedFallsBackToACopyWithOneWarning) {
  auto s = open_layout({make_tar({dir("etc"), file("etc/motd", "hi\n"), file("etc/old", "o")}),
                        make_tar({whiteout("etc/.wh.old")})});
  ASSERT_TRUE(s);
  BundleOptions options;
  options.parent = dir_->path();
  options.root_cache = cache_root();
  options.mount = [](const std::string& target, const std::string&) -> core::Status {
    return core::make_error(target, "cannot mount overlayfs: Operation not supported");
  };
  std::vector<std::string> warnings;
  options.warn = [&](std::string_view w) { warnings.emplace_back(w); };
  auto b = Bundle::unpack(s->reader(), image_of_source(*s), options);
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_FALSE(b->overlay());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("Operation not supported"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("unpacking the image into the bundle instead"), std::string::npos);
  EXPECT_EQ(*b->read_rootfs_file("etc/motd"), "hi\n");
  EXPECT_FALSE(fs::exists(b->rootfs() + "/etc/old"));
}

TEST_F(RootCacheTest, ALayerThatDoesNotVerifyIsAnErrorNotAFallback) {
  auto s = open_layout({make_tar({file("etc/motd", "hi\n")})});
  ASSERT_TRUE(s);
  oci::PlatformImage img = image_of_source(*s);
  img.config.diff_ids[0] = oci::Digest::of("something else");
  BundleOptions options;
  options.parent = dir_->path();
  options.root_cache = cache_root();
  std::vector<std::string> warnings;
  options.warn = [&](std::string_view w) { warnings.emplace_back(w); };
  auto b = Bundle::unpack(s->reader(), img, options);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message().find("diff_id"), std::string::npos) << b.error().message();
  EXPECT_TRUE(warnings.empty());
  EXPECT_FALSE(fs::exists(cache_root() + "/sha256/" + img.config.diff_ids[0].hex()));
}

TEST_F(RootCacheTest, AStaleBundleOverlayIsUnmountedAndRemovedByTheNextUnpack) {
  auto s = open_layout({make_tar({file("etc/motd", "hi\n")})});
  ASSERT_TRUE(s);
  // A bundle of a dead distill (pid 2^22 + 1 does not exist) with its overlay still mounted.
  std::string stale = dir_->path() + "/distill-bundle.4194305.AAAAAA";
  for (const char* sub : {"", "/rootfs", "/upper", "/work"})
    ASSERT_EQ(::mkdir((stale + sub).c_str(), 0700), 0);
  auto lower = cached(*s, 0);
  ASSERT_TRUE(lower.ok());
  ASSERT_EQ(
      ::mount("overlay", (stale + "/rootfs").c_str(), "overlay", MS_NOSUID | MS_NODEV,
              ("lowerdir=" + *lower + ",upperdir=" + stale + "/upper,workdir=" + stale + "/work")
                  .c_str()),
      0)
      << std::strerror(errno);
  BundleOptions options;
  options.parent = dir_->path();
  options.root_cache = cache_root();
  auto b = Bundle::unpack(s->reader(), image_of_source(*s), options);
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_FALSE(fs::exists(stale));
}

TEST_F(RootCacheTest, OverlayLowerDirsAreReadFromTheMountTable) {
  std::string mountinfo =
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
      "90 22 0:50 / /tmp/b/rootfs rw,nosuid,nodev,relatime shared:40 - overlay overlay "
      "rw,lowerdir=/c/sha256/aa/tree:/c/sha256/bb/tree,upperdir=/tmp/b/upper,workdir=/tmp/b/work\n"
      "91 22 0:51 / /x rw - overlay overlay rw,lowerdir=/with\\040space/tree,upperdir=/u\n"
      "92 22 0:52 / /y rw - tmpfs tmpfs rw,lowerdir=/not/an/overlay\n";
  EXPECT_EQ(
      overlay_lower_dirs(mountinfo),
      (std::vector<std::string>{"/c/sha256/aa/tree", "/c/sha256/bb/tree", "/with space/tree"}));
}

TEST_F(RootCacheTest, PruneRemovesTheLayersNoMountedOverlayUses) {
  auto s = open_layout({make_tar({file("etc/a", "a")}), make_tar({file("etc/b", "b")})});
  ASSERT_TRUE(s);
  auto lower = cached(*s, 0);
  auto upper = cached(*s, 1);
  ASSERT_TRUE(lower.ok() && upper.ok());
  std::string mountinfo = "90 22 0:50 / /b/rootfs rw - overlay overlay rw,lowerdir=" + *upper +
                          ",upperdir=/b/upper,workdir=/b/work\n";
  RootCache cache(cache_root());
  auto pruned = cache.prune(mountinfo);
  ASSERT_TRUE(pruned.ok()) << pruned.error().message();
  EXPECT_EQ(pruned->removed, 1u);
  EXPECT_EQ(pruned->kept, 1u);
  EXPECT_FALSE(fs::exists(*lower));
  EXPECT_TRUE(cache.check(image_of_source(*s).config.diff_ids[1]).ok());
  pruned = cache.prune("");
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->removed, 1u);
  EXPECT_FALSE(fs::exists(*upper));
}

}  // namespace
