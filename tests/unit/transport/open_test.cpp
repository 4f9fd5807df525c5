#include "transport/open.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/file_util.hpp"
#include "image/dpkg_inventory.hpp"
#include "image/rootfs_view.hpp"
#include "oci/docker_archive.hpp"
#include "oci/layout_writer.hpp"
#include "oci/media_types.hpp"
#include "unit/image/image_test_util.hpp"

using namespace distill;
using namespace distill::image;
using namespace distill::transport;
using namespace distill::image::test_util;

namespace {

class TransportOpenTest : public TempFolderTest {
 protected:
  std::string one_layer_tar(const std::string& arch) {
    return make_tar({dir("var/lib/dpkg/status.d"),
                     file("var/lib/dpkg/status.d/libc6",
                          "Package: libc6\nVersion: 2.36\nArchitecture: " + arch + "\n")});
  }
  oci::Image image(const oci::Platform& p) {
    return image_of(dir_->path(), {one_layer_tar(p.architecture)}, p);
  }
};

TEST_F(TransportOpenTest, ParsesEveryReferenceForm) {
  std::string layout = path("lay:out");  // a colon in the folder name
  ASSERT_TRUE(core::make_dirs(layout).ok());
  ASSERT_TRUE(core::write_file_atomic(path("img.tar"), "x").ok());

  auto r = parse_image_ref(layout);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->transport, Transport::kOciLayout);
  EXPECT_EQ(r->path, layout);
  EXPECT_EQ(r->tag, "");

  r = parse_image_ref(layout + ":1.0");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->path, layout);
  EXPECT_EQ(r->tag, "1.0");

  r = parse_image_ref("oci:" + layout + ":v2");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->transport, Transport::kOciLayout);
  EXPECT_EQ(r->path, layout);
  EXPECT_EQ(r->tag, "v2");

  r = parse_image_ref("oci:" + layout);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->tag, "");

  r = parse_image_ref(path("img.tar"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->transport, Transport::kDockerArchive);
  EXPECT_EQ(r->path, path("img.tar"));

  r = parse_image_ref("docker-archive:" + path("img.tar") + ":app");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->transport, Transport::kDockerArchive);
  EXPECT_EQ(r->path, path("img.tar"));
  EXPECT_EQ(r->tag, "app:latest");

  r = parse_image_ref(path("img.tar") + ":example.invalid/app:1.0");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->tag, "example.invalid/app:1.0");
}

TEST_F(TransportOpenTest, ReferenceErrors) {
  ASSERT_TRUE(core::make_dirs(path("layout")).ok());
  ASSERT_TRUE(core::write_file_atomic(path("img.tar"), "x").ok());
  struct Case {
    std::string ref;
    std::string needle;
  } cases[] = {
      {path("missing"), "no such file or folder"},
      {path("missing") + ":tag", "no such file or folder"},
      {"oci:" + path("img.tar"), "is not a folder"},
      {"docker-archive:" + path("layout"), "is not a file"},
      {path("layout") + ":", "empty tag"},
      {"oci:", "names no path"},
      {"", "no image given"},
      {"docker-archive:" + path("img.tar") + ":Bad/Name", "invalid repository name"},
  };
  for (const auto& c : cases) {
    auto r = parse_image_ref(c.ref);
    ASSERT_FALSE(r.ok()) << c.ref;
    EXPECT_NE(r.error().message().find(c.needle), std::string::npos)
        << c.ref << ": " << r.error().message();
  }
}

TEST_F(TransportOpenTest, OpensALayoutAndSelectsByTag) {
  auto w = oci::LayoutWriter::create(path("oci"));
  ASSERT_TRUE(w.ok());
  auto amd = w->add_image(image({"linux", "amd64", ""}));
  auto arm = w->add_image(image({"linux", "arm64", "v8"}));
  ASSERT_TRUE(amd.ok() && arm.ok());
  auto index = w->add_index({*amd, *arm});
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE(w->add_to_index(*index, "multi").ok());
  ASSERT_TRUE(w->add_to_index(*index, "also-multi").ok());
  ASSERT_TRUE(w->add_to_index(*amd, "amd").ok());
  ASSERT_TRUE(w->commit().ok());

  auto all = open_image(path("oci"));
  ASSERT_TRUE(all.ok()) << all.error().message();
  EXPECT_EQ((*all)->tops().size(), 2u) << "two tags of one index count once";
  ASSERT_EQ((*all)->indexes().size(), 1u);
  EXPECT_EQ((*all)->indexes()[0].ref_names, (std::vector<std::string>{"also-multi", "multi"}));
  ASSERT_EQ((*all)->indexes()[0].index.manifests.size(), 2u);
  ASSERT_EQ((*all)->images().size(), 2u) << "the amd64 manifest is listed once";
  EXPECT_EQ((*all)->images()[0].ref_names,
            (std::vector<std::string>{"also-multi", "amd", "multi"}));

  auto amd_only = open_image(path("oci") + ":amd");
  ASSERT_TRUE(amd_only.ok()) << amd_only.error().message();
  ASSERT_EQ((*amd_only)->tops().size(), 1u);
  EXPECT_EQ((*amd_only)->tops()[0].digest, amd->digest);
  EXPECT_TRUE((*amd_only)->indexes().empty());
  ASSERT_EQ((*amd_only)->images().size(), 1u);

  auto multi = open_image("oci:" + path("oci") + ":multi");
  ASSERT_TRUE(multi.ok()) << multi.error().message();
  EXPECT_EQ((*multi)->tops()[0].digest, index->digest);
  auto arm64 = (*multi)->select_platform("linux/arm64");
  ASSERT_TRUE(arm64.ok()) << arm64.error().message();
  ASSERT_EQ(arm64->size(), 1u);
  EXPECT_EQ((*arm64)[0]->manifest_descriptor.digest, arm->digest);
  EXPECT_TRUE((*multi)->select_platform("linux/arm64/v8").ok());
  EXPECT_EQ((*multi)->select_platform("")->size(), 2u);
  auto none = (*multi)->select_platform("linux/s390x");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message().find("linux/amd64, linux/arm64/v8"), std::string::npos)
      << none.error().message();
  EXPECT_FALSE((*multi)->select_platform("linux/arm64/v7").ok());
  EXPECT_FALSE((*multi)->select_platform("arm64").ok());

  auto missing = open_image(path("oci") + ":nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("no image tagged 'nope'"), std::string::npos);
  EXPECT_NE(missing.error().message().find("also-multi, amd, multi"), std::string::npos)
      << missing.error().message();
}

TEST_F(TransportOpenTest, OpensADockerArchiveLikeALayout) {
  oci::Image img = image({"linux", "amd64", ""});
  ASSERT_TRUE(oci::write_docker_archive(path("img.tar"), {img}, {"app:1.0"}).ok());
  write_layout(path("oci"), {img});
  for (std::string ref : {path("img.tar"), "docker-archive:" + path("img.tar") + ":app:1.0"}) {
    auto src = open_image(ref);
    ASSERT_TRUE(src.ok()) << ref << ": " << src.error().message();
    EXPECT_EQ((*src)->name().transport, "docker-archive");
    ASSERT_EQ((*src)->images().size(), 1u);
    const auto& pi = (*src)->images()[0];
    EXPECT_EQ(pi.ref_names, std::vector<std::string>{"app:1.0"});
    RootfsOptions o;
    o.keep_content = is_dpkg_database_file;
    auto fs = RootfsView::read((*src)->reader(), pi, o);
    ASSERT_TRUE(fs.ok()) << fs.error().message();
    auto packages = read_dpkg_packages(*fs);
    ASSERT_TRUE(packages.ok());
    ASSERT_EQ(packages->size(), 1u);
    EXPECT_EQ((*packages)[0].name, "libc6");
    ASSERT_EQ(fs->layers().size(), 1u);
    EXPECT_EQ(fs->layers()[0].descriptor.digest, img.layers[0].digest);
    EXPECT_EQ(fs->layers()[0].uncompressed_size, img.layers[0].uncompressed_size);
  }
  auto wrong = open_image("docker-archive:" + path("img.tar") + ":app:2.0");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("app:1.0"), std::string::npos);
}

TEST_F(TransportOpenTest, RefusesAFolderThatIsNotALayout) {
  ASSERT_TRUE(core::make_dirs(path("plain")).ok());
  auto src = open_image(path("plain"));
  ASSERT_FALSE(src.ok());
  EXPECT_NE(src.error().message().find("is not an OCI image layout"), std::string::npos)
      << src.error().message();
  ASSERT_TRUE(core::write_file_atomic(path("junk.tar"), std::string(4096, 'j')).ok());
  auto junk = open_image(path("junk.tar"));
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().where, path("junk.tar")) << junk.error().message();
}

}  // namespace
