#include "builder/layering.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

using namespace distill;
using builder::LayerPackage;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace {

LayerPackage layer_pkg(const std::string& name, const std::string& source, uint64_t bytes,
                       const std::string& depends = "", const std::string& provides = "") {
  std::string control = "Package: " + name + "\n";
  if (!source.empty()) control += "Source: " + source + "\n";
  control += "Installed-Size: " + std::to_string(bytes / 1024) + "\n";
  if (!depends.empty()) control += "Depends: " + depends + "\n";
  if (!provides.empty()) control += "Provides: " + provides + "\n";
  auto p = builder::layer_package(name, control);
  EXPECT_TRUE(p.ok()) << p.error().message();
  return p.ok() ? *p : LayerPackage{};
}

std::vector<std::string> layer_names(const std::vector<builder::PackageLayer>& layers) {
  std::vector<std::string> out;
  for (const auto& l : layers) out.push_back(l.name);
  return out;
}

TEST(LayeringFacts, SourceFieldLosesItsVersionAndFallsBackToTheName) {
  auto p = builder::layer_package("libssl3",
                                  "Package: libssl3\nSource: openssl (3.0.15-1)\n"
                                  "Installed-Size: 10\nPre-Depends: libc6\n"
                                  "Depends: zlib1g | libz\nProvides: ssl-lib\n");
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->source, "openssl");
  EXPECT_EQ(p->bytes, 10u * 1024);
  ASSERT_EQ(p->depends.size(), 2u);
  EXPECT_EQ(p->depends[0][0].name, "libc6");
  EXPECT_EQ(p->depends[1][1].name, "libz");
  EXPECT_THAT(p->provides, ElementsAre("ssl-lib"));
  auto q = builder::layer_package("tzdata", "Package: tzdata\n");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->source, "tzdata");
}

TEST(LayeringLevels, EachPackageGoesToTheLowestLevelThatReachesIt) {
  std::vector<LayerPackage> pkgs = {
      layer_pkg("base-files", "", 1024),
      layer_pkg("libc6", "glibc", 4096, "libgcc-s1"),
      layer_pkg("libgcc-s1", "gcc-12", 1024),
      layer_pkg("libssl3", "openssl", 2048, "libc6 (>= 2.34)"),
      layer_pkg("python3", "python3-defaults", 1024, "libpython3 | missing"),
      layer_pkg("libpython3.11", "python3.11", 1024, "", "libpython3"),
  };
  std::vector<int> levels = builder::preset_levels(
      pkgs, {{"base-files"}, {"base-files", "libc6"}, {"base-files", "libc6", "libssl3"}});
  EXPECT_THAT(levels, ElementsAre(0, 1, 1, 2, -1, -1));
  // A virtual name is satisfied by its provider.
  levels = builder::preset_levels(pkgs, {{"python3"}});
  EXPECT_THAT(levels, ElementsAre(-1, -1, -1, -1, 0, 0));
}

TEST(LayeringPlan, LevelsThenSourcesLargestFirstThenTheRest) {
  std::vector<LayerPackage> pkgs = {
      layer_pkg("base-files", "", 1024),
      layer_pkg("libc6", "glibc", 4096),
      layer_pkg("python3.11-minimal", "python3.11", 8192),
      layer_pkg("libpython3.11", "python3.11", 8192),
      layer_pkg("zlib1g", "zlib", 1024),
      layer_pkg("libffi8", "libffi", 2048),
      layer_pkg("tiny", "", 0),
  };
  std::vector<int> levels = {0, 1, -1, -1, -1, -1, -1};
  auto layers = builder::plan_package_layers(pkgs, levels, {"static", "base-nossl"}, 10);
  EXPECT_THAT(layer_names(layers),
              ElementsAre("static", "base-nossl", "python3.11", "libffi", "zlib", "tiny"));
  EXPECT_THAT(layers[2].packages, ElementsAre("libpython3.11", "python3.11-minimal"));
  // Over budget: the smallest groups share one layer.
  layers = builder::plan_package_layers(pkgs, levels, {"static", "base-nossl"}, 4);
  EXPECT_THAT(layer_names(layers), ElementsAre("static", "base-nossl", "python3.11", "other"));
  EXPECT_THAT(layers[3].packages, ElementsAre("libffi8", "tiny", "zlib1g"));
  // A budget of one: everything in one layer.
  layers = builder::plan_package_layers(pkgs, levels, {"static", "base-nossl"}, 1);
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].packages.size(), pkgs.size());
}

TEST(LayeringPlan, UncleanPackagesAndEmptyLevelsGetNoLayer) {
  std::vector<LayerPackage> pkgs = {layer_pkg("base-files", "", 1024),
                                    layer_pkg("libc6", "glibc", 4096),
                                    layer_pkg("zlib1g", "zlib", 1024)};
  pkgs[0].clean = false;
  pkgs[2].clean = false;
  auto layers = builder::plan_package_layers(pkgs, {0, 1, -1}, {"static", "base-nossl"}, 10);
  EXPECT_THAT(layer_names(layers), ElementsAre("base-nossl"));
}

TEST(LayeringPlan, InputOrderDoesNotMatter) {
  std::vector<LayerPackage> a = {layer_pkg("x", "s", 1024), layer_pkg("y", "s", 1024),
                                 layer_pkg("z", "t", 2048)};
  std::vector<LayerPackage> b = {a[2], a[1], a[0]};
  auto la = builder::plan_package_layers(a, {-1, -1, -1}, {}, 10);
  auto lb = builder::plan_package_layers(b, {-1, -1, -1}, {}, 10);
  ASSERT_EQ(la.size(), lb.size());
  for (size_t i = 0; i < la.size(); ++i) {
    EXPECT_EQ(la[i].name, lb[i].name);
    EXPECT_EQ(la[i].packages, lb[i].packages);
  }
}

// A tree as assembly leaves it: two packages added, then the build's own steps.
builder::Rootfs two_packages() {
  builder::Rootfs fs(builder::Rootfs::Options{});
  fs.add_package("a", {oci::FsEntry::directory("usr"), oci::FsEntry::directory("usr/bin"),
                       oci::FsEntry::file("usr/bin/a", "A", 0755),
                       oci::FsEntry::hardlink("usr/bin/a2", "usr/bin/a")});
  fs.add_package(
      "b", {oci::FsEntry::directory("usr"), oci::FsEntry::directory("usr/lib"),
            oci::FsEntry::file("usr/lib/b.so", "B"), oci::FsEntry::file("usr/lib/b.conf", "conf")});
  for (const char* p : {"a", "b"}) {
    fs.put(oci::FsEntry::file(builder::status_path(p), std::string("Package: ") + p + "\n"));
    fs.put(oci::FsEntry::file(builder::status_path(p) + ".md5sums", "x\n"));
  }
  fs.track_changes();
  fs.put(oci::FsEntry::directory("usr/lib", 0755));  // a folder again: no change
  fs.put(oci::FsEntry::file("etc/passwd", "root:x:0:0::/root:/sbin/nologin\n"));
  return fs;
}

std::set<std::string> paths_of(const builder::LayerContents& layer) {
  std::set<std::string> out;
  for (const auto& e : layer.entries) out.insert(e.path);
  return out;
}

TEST(LayeringSplit, PackageLayersHoldTheirFilesStatusAndFolders) {
  builder::Rootfs fs = two_packages();
  std::vector<LayerPackage> pkgs = {layer_pkg("a", "", 0), layer_pkg("b", "", 0)};
  builder::judge_packages(fs, pkgs);
  EXPECT_TRUE(pkgs[0].clean);
  EXPECT_TRUE(pkgs[1].clean);
  auto layers = builder::split_rootfs(fs, {{"a", {"a"}}, {"b", {"b"}}});
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(paths_of(layers[0]),
            (std::set<std::string>{"usr", "usr/bin", "usr/bin/a", "usr/bin/a2",
                                   "var/lib/dpkg/status.d/a", "var/lib/dpkg/status.d/a.md5sums"}));
  EXPECT_EQ(paths_of(layers[1]),
            (std::set<std::string>{"usr", "usr/lib", "usr/lib/b.conf", "usr/lib/b.so",
                                   "var/lib/dpkg/status.d/b", "var/lib/dpkg/status.d/b.md5sums"}));
  EXPECT_EQ(layers[2].name, "image");
  EXPECT_EQ(paths_of(layers[2]), (std::set<std::string>{"etc/passwd"}));
  EXPECT_THAT(layers[2].packages, IsEmpty());
  EXPECT_EQ(fs.size(), 0u);  // the tree was emptied into the layers
}

TEST(LayeringSplit, AChangedOrRemovedFileKeepsItsWholePackageInTheImageLayer) {
  builder::Rootfs fs = two_packages();
  fs.put(oci::FsEntry::file("usr/lib/b.conf", "edited by a script"));
  std::vector<LayerPackage> pkgs = {layer_pkg("a", "", 0), layer_pkg("b", "", 0)};
  builder::judge_packages(fs, pkgs);
  EXPECT_TRUE(pkgs[0].clean);
  EXPECT_FALSE(pkgs[1].clean);

  builder::Rootfs fs2 = two_packages();
  fs2.remove("usr/bin/a2");
  builder::judge_packages(fs2, pkgs);
  EXPECT_FALSE(pkgs[0].clean);

  auto layers = builder::split_rootfs(fs, {{"a", {"a"}}});
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_THAT(layers[1].packages, ElementsAre("b"));
  std::set<std::string> own = paths_of(layers[1]);
  EXPECT_TRUE(own.count("usr/lib/b.so"));
  EXPECT_TRUE(own.count("usr/lib/b.conf"));
  EXPECT_TRUE(own.count("var/lib/dpkg/status.d/b"));
  EXPECT_TRUE(own.count("usr"));  // the folders above, with the tree's metadata
  EXPECT_FALSE(own.count("usr/bin/a"));
}

TEST(LayeringSplit, ALinkOutsideItsPackageIsUnclean) {
  builder::Rootfs fs(builder::Rootfs::Options{});
  fs.add_package("a", {oci::FsEntry::file("usr/bin/a", "A")});
  fs.add_package("b", {oci::FsEntry::hardlink("usr/bin/b", "usr/bin/a")});
  fs.track_changes();
  std::vector<LayerPackage> pkgs = {layer_pkg("a", "", 0), layer_pkg("b", "", 0)};
  builder::judge_packages(fs, pkgs);
  EXPECT_TRUE(pkgs[0].clean);
  EXPECT_FALSE(pkgs[1].clean);
  // The image's layer gets the link's target along.
  auto layers = builder::split_rootfs(fs, {{"a", {"a"}}});
  EXPECT_EQ(paths_of(layers[1]), (std::set<std::string>{"usr/bin/a", "usr/bin/b"}));
  EXPECT_EQ(paths_of(layers[0]), (std::set<std::string>{"usr/bin/a"}));
}

TEST(LayeringSplit, AConflictLoserIsUnclean) {
  builder::Rootfs fs(builder::Rootfs::Options{});
  fs.add_package("a", {oci::FsEntry::file("etc/x", "A")});
  fs.add_package("b", {oci::FsEntry::file("etc/x", "B")});
  std::vector<LayerPackage> pkgs = {layer_pkg("a", "", 0), layer_pkg("b", "", 0)};
  builder::judge_packages(fs, pkgs);
  EXPECT_TRUE(pkgs[0].clean);
  EXPECT_FALSE(pkgs[1].clean);
}

}  // namespace
