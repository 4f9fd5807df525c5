#include "image/rootfs_view.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "core/file_util.hpp"
#include "image/image_source.hpp"
#include "transport/open.hpp"
#include "unit/image/image_test_util.hpp"

using namespace distill;
using namespace distill::image;
using namespace distill::image::test_util;

namespace {

class RootfsViewTest : public TempFolderTest {
 protected:
  // Writes the layers as a layout and reads its filesystem back.
  core::Result<RootfsView> view_of(const std::vector<std::vector<Member>>& layers,
                                   RootfsOptions options = {},
                                   oci::Compression c = oci::Compression::kGzip) {
    std::vector<std::string> tars;
    for (const auto& l : layers) tars.push_back(make_tar(l));
    std::string out = path("oci-" + std::to_string(counter_++));
    write_layout(out, {image_of(dir_->path(), tars, {"linux", "amd64", ""}, c)});
    return read(out, std::move(options));
  }

  core::Result<RootfsView> read(const std::string& layout, RootfsOptions options = {}) {
    DISTILL_ASSIGN(auto source, transport::open_image(layout));
    return RootfsView::read(source->reader(), source->images().at(0), std::move(options));
  }

  static std::vector<std::string> paths(const RootfsView& v) {
    std::vector<std::string> out;
    for (const auto& [p, e] : v.entries()) out.push_back(p);
    return out;
  }

  int counter_ = 0;
};

RootfsOptions keep_all() {
  RootfsOptions o;
  o.keep_content = [](std::string_view) { return true; };
  return o;
}

TEST_F(RootfsViewTest, LaterLayersWinAndNamesAreNormalised) {
  auto v = view_of({{dir("./etc/"), file("./etc/motd", "one\n"), file("usr/bin/tool", "x", 0755)},
                    {file("/etc/motd", "two\n", 0600)}},
                   keep_all());
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(paths(*v), (std::vector<std::string>{"etc", "etc/motd", "usr/bin/tool"}));
  const FileEntry* motd = v->find("etc/motd");
  ASSERT_NE(motd, nullptr);
  EXPECT_EQ(motd->content, "two\n");
  EXPECT_EQ(motd->mode, 0600u);
  EXPECT_EQ(motd->layer, 1u);
  EXPECT_EQ(v->find("usr/bin/tool")->mode, 0755u);
  EXPECT_EQ(v->find("usr/bin/tool")->layer, 0u);
}

TEST_F(RootfsViewTest, WhiteoutRemovesAPathAndEverythingBelowIt) {
  auto v = view_of({{dir("etc"), file("etc/a", "a"), file("etc/b", "b"), dir("usr/share/doc"),
                     dir("usr/share/doc/x"), file("usr/share/doc/x/copyright", "c"),
                     file("usr/share/docs-kept", "d")},
                    {whiteout("etc/.wh.a"), whiteout("usr/share/.wh.doc")}});
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(paths(*v), (std::vector<std::string>{"etc", "etc/b", "usr/share/docs-kept"}));
  ASSERT_EQ(v->layers().size(), 2u);
  EXPECT_EQ(v->layers()[1].whiteouts, 2u);
  EXPECT_EQ(v->layers()[1].members, 2u);
}

TEST_F(RootfsViewTest, WhiteoutActsOnLowerLayersOnly) {
  // The same layer recreates what it whites out, in either tar order.
  auto v = view_of({{dir("data"), file("data/old", "old"), file("etc/c", "lower")},
                    {file("etc/c", "same layer"), whiteout("etc/.wh.c"), whiteout(".wh.data"),
                     dir("data"), file("data/new", "new")}},
                   keep_all());
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(paths(*v), (std::vector<std::string>{"data", "data/new", "etc/c"}));
  EXPECT_EQ(v->find("etc/c")->content, "same layer");
}

TEST_F(RootfsViewTest, OpaqueFolderHidesLowerChildrenButKeepsItsOwn) {
  auto v = view_of({{dir("app", 0700), file("app/old1", "1"), dir("app/sub"),
                     file("app/sub/old2", "2"), file("apple", "not below app/")},
                    {dir("app", 0755), file("app/new", "n"), whiteout("app/.wh..wh..opq"),
                     file("app/new2", "n2")}});
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(paths(*v), (std::vector<std::string>{"app", "app/new", "app/new2", "apple"}));
  EXPECT_EQ(v->find("app")->mode, 0755u);
  EXPECT_EQ(v->layers()[1].whiteouts, 1u);
}

TEST_F(RootfsViewTest, AufsBookkeepingNamesAreIgnored) {
  auto v = view_of({{file("keep", "k")}, {whiteout(".wh..wh.plnk"), whiteout(".wh..wh.aufs")}});
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(paths(*v), (std::vector<std::string>{"keep"}));
}

TEST_F(RootfsViewTest, NonFolderReplacingAFolderHidesItsSubtree) {
  auto v = view_of({{dir("opt/d"), file("opt/d/f", "f")}, {file("opt/d", "now a file")}});
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(paths(*v), (std::vector<std::string>{"opt/d"}));
  EXPECT_EQ(v->find("opt/d")->type, FileType::kRegular);
}

TEST_F(RootfsViewTest, HardLinksTakeTheirTargetsContent) {
  auto v = view_of({{file("usr/bin/a", "AAA", 0755), hard("usr/bin/b", "usr/bin/a")},
                    {hard("usr/bin/c", "./usr/bin/a")}},
                   keep_all());
  ASSERT_TRUE(v.ok()) << v.error().message();
  for (const char* p : {"usr/bin/b", "usr/bin/c"}) {
    const FileEntry* e = v->find(p);
    ASSERT_NE(e, nullptr) << p;
    EXPECT_EQ(e->type, FileType::kRegular);
    EXPECT_EQ(e->hardlink_to, "usr/bin/a");
    EXPECT_EQ(e->size, 3);
    EXPECT_EQ(e->content, "AAA");
  }
}

TEST_F(RootfsViewTest, KeepsContentOnlyForTheFilesAskedFor) {
  RootfsOptions o;
  o.keep_content = [](std::string_view p) { return p == "etc/wanted" || p == "etc/huge"; };
  o.max_file_content = 10;
  auto v = view_of({{file("etc/wanted", "yes"), file("etc/other", "no"),
                     file("etc/huge", std::string(11, 'x'))}},
                   o);
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->find("etc/wanted")->content, "yes");
  EXPECT_FALSE(v->find("etc/other")->content.has_value());
  EXPECT_FALSE(v->find("etc/huge")->content.has_value()) << "over max_file_content";
  EXPECT_EQ(v->find("etc/huge")->size, 11);
  auto r = v->read_file("etc/other");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("content was not read"), std::string::npos);
}

TEST_F(RootfsViewTest, ProbesRegularFilesNotKeptAndHardLinksShareTheProbe) {
  RootfsOptions o;
  o.keep_content = [](std::string_view p) { return p == "etc/kept"; };
  std::vector<std::string> probed;
  o.probe = [&probed](const LayerEntry& e,
                      const ContentReader& content) -> core::Result<std::string> {
    probed.push_back(e.path);
    std::string seen;
    DISTILL_TRY(content.copy([&seen](std::string_view chunk) {
      seen += chunk;
      return core::Status::Ok();
    }));
    return "size " + std::to_string(seen.size());
  };
  auto v = view_of({{file("etc/kept", "abc"), file("bin/tool", "12345"), dir("bin/dir"),
                     hard("bin/tool-link", "bin/tool"), sym("bin/sym", "tool")},
                    {file("bin/new", "xy")}},
                   o);
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(probed, (std::vector<std::string>{"bin/tool", "bin/new"}));
  EXPECT_EQ(v->find("bin/tool")->probe, "size 5");
  EXPECT_EQ(v->find("bin/tool-link")->probe, "size 5");
  EXPECT_EQ(v->find("bin/new")->probe, "size 2");
  EXPECT_EQ(v->find("etc/kept")->probe, "");
  EXPECT_EQ(v->find("etc/kept")->content, "abc");
}

TEST_F(RootfsViewTest, ResolvesSymlinksInsideTheImage) {
  auto v =
      view_of({{dir("usr/lib"), file("usr/lib/os-release", "ID=debian\n"),
                sym("etc/os-release", "../usr/lib/os-release"),
                sym("etc/abs", "/usr/lib/os-release"), sym("lib", "usr/lib"),
                sym("etc/escape", "../../../../usr/lib/os-release"), sym("etc/loop1", "loop2"),
                sym("etc/loop2", "loop1"), sym("etc/dangling", "nowhere"), file("etc/plain", "p")}},
              keep_all());
  ASSERT_TRUE(v.ok()) << v.error().message();
  for (const char* p : {"etc/os-release", "etc/abs", "lib/os-release", "/lib/./os-release",
                        "etc/escape", "etc/../usr/lib/os-release"}) {
    auto text = v->read_file(p);
    ASSERT_TRUE(text.ok()) << p << ": " << text.error().message();
    EXPECT_EQ(*text, "ID=debian\n") << p;
    EXPECT_EQ((*v->resolve(p))->path, "usr/lib/os-release") << p;
  }
  auto loop = v->resolve("etc/loop1");
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.error().message().find("too many levels of symbolic links"), std::string::npos);
  EXPECT_FALSE(v->resolve("etc/dangling").ok());
  EXPECT_FALSE(v->resolve("etc/plain/x").ok()) << "a file is not a folder";
  EXPECT_FALSE(v->resolve("").ok()) << "the root is not a file";
  // Folders the layers left implicit ("etc" has no entry of its own).
  EXPECT_EQ(v->find("etc"), nullptr);
  auto under_implicit = v->resolve("etc/plain");
  ASSERT_TRUE(under_implicit.ok()) << under_implicit.error().message();
  EXPECT_EQ((*under_implicit)->path, "etc/plain");
}

TEST_F(RootfsViewTest, ListsAFoldersDirectChildren) {
  auto v = view_of({{dir("a"), file("a/x", ""), dir("a/y"), file("a/y/z", ""), file("a-b", ""),
                     file("top", "")}});
  ASSERT_TRUE(v.ok()) << v.error().message();
  std::vector<std::string> in_a, at_root;
  for (const auto* e : v->list("a")) in_a.push_back(e->path);
  for (const auto* e : v->list("")) at_root.push_back(e->path);
  EXPECT_EQ(in_a, (std::vector<std::string>{"a/x", "a/y"}));
  EXPECT_EQ(at_root, (std::vector<std::string>{"a", "a-b", "top"}));
}

TEST_F(RootfsViewTest, KeepsDeviceNodesAndReportsLayerSizes) {
  Member dev{"dev/null", Member::kCharDevice, {}, {}, 0666};
  std::vector<Member> members = {dir("dev"), dev, file("f", std::string(5000, 'q'))};
  std::string tar = make_tar(members);
  for (auto c : {oci::Compression::kGzip, oci::Compression::kZstd, oci::Compression::kNone}) {
    auto v = view_of({members}, {}, c);
    ASSERT_TRUE(v.ok()) << v.error().message();
    EXPECT_EQ(v->find("dev/null")->type, FileType::kCharDevice);
    ASSERT_EQ(v->layers().size(), 1u);
    const LayerInfo& info = v->layers()[0];
    EXPECT_EQ(info.uncompressed_size, static_cast<int64_t>(tar.size()));
    EXPECT_EQ(info.diff_id, oci::Digest::of(tar));
    EXPECT_EQ(info.members, 3u);
    EXPECT_EQ(info.descriptor.media_type, oci::layer_media_type(c));
    EXPECT_EQ(info.descriptor.size,
              static_cast<int64_t>(image::test_util::compress(tar, c).size()));
  }
}

TEST_F(RootfsViewTest, RefusesMembersThatEscapeTheRoot) {
  auto v = view_of({{file("../etc/passwd", "x")}});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("'..'"), std::string::npos) << v.error().message();
}

TEST_F(RootfsViewTest, ATamperedLayerIsADigestMismatch) {
  std::string tar = make_tar({file("etc/data", std::string(100000, 'a'))});
  std::string out = path("oci");
  oci::Image img = image_of(dir_->path(), {tar});
  write_layout(out, {img});
  // Same size, one byte changed: found only by the digest.
  std::string blob = out + "/blobs/sha256/" + img.layers[0].digest.hex();
  auto data = core::read_file(blob);
  ASSERT_TRUE(data.ok());
  std::string bad = *data;
  bad[bad.size() / 2] ^= 0x55;
  ASSERT_EQ(::chmod(blob.c_str(), 0644), 0);
  ASSERT_TRUE(core::write_file_atomic(blob, bad).ok());
  auto v = read(out);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("does not match its digest"), std::string::npos)
      << v.error().message();
}

TEST_F(RootfsViewTest, AWrongDiffIdIsAnError) {
  std::string tar = make_tar({file("a", "a")});
  oci::Image img = image_of(dir_->path(), {tar});
  img.config.diff_ids = {oci::Digest::of("something else")};
  img.layers[0].diff_id = img.config.diff_ids[0];
  write_layout(path("oci"), {img});
  auto v = read(path("oci"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("diff_id"), std::string::npos) << v.error().message();
}

TEST_F(RootfsViewTest, AMediaTypeThatLiesIsAnError) {
  std::string tar = make_tar({file("a", "a")});
  oci::Image img = image_of(dir_->path(), {tar}, {"linux", "amd64", ""}, oci::Compression::kNone);
  img.layers[0].media_type = std::string(oci::layer_media_type(oci::Compression::kGzip));
  write_layout(path("oci"), {img});
  auto v = read(path("oci"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message().find("is not gzip"), std::string::npos) << v.error().message();
}

TEST(RootfsViewApply, AppliesMembersDirectly) {
  RootfsView v;
  FileEntry a;
  a.path = "x/y";
  ASSERT_TRUE(v.apply_layer({a}).ok());
  FileEntry w;
  w.path = "x/.wh.y";
  ASSERT_TRUE(v.apply_layer({w}).ok());
  EXPECT_TRUE(v.entries().empty());
}

TEST(NormalizeMemberPath, Forms) {
  EXPECT_EQ(*normalize_member_path("./usr//bin/"), "usr/bin");
  EXPECT_EQ(*normalize_member_path("/etc/./passwd"), "etc/passwd");
  EXPECT_EQ(*normalize_member_path("./"), "");
  EXPECT_FALSE(normalize_member_path("a/../../b").ok());
}

}  // namespace
