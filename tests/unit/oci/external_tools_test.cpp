// Checks our layouts and archives with the tools people will load them with:
// skopeo (containers/image) and umoci. Both are required: a missing tool
// fails these tests rather than skipping them.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "core/file_util.hpp"
#include "core/temp_dir.hpp"
#include "oci/docker_archive.hpp"
#include "oci/image_reader.hpp"
#include "oci/layout_reader.hpp"
#include "oci/layout_writer.hpp"
#include "oci/media_types.hpp"
#include "unit/oci/oci_test_util.hpp"

using namespace distill;
using namespace distill::oci;
using nlohmann::json;

namespace {

class ExternalToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = core::TempDir::create();
    ASSERT_TRUE(d.ok());
    dir_ = std::make_unique<core::TempDir>(std::move(*d));
    skopeo_ = oci::test_util::require_tool("skopeo");
    umoci_ = oci::test_util::require_tool("umoci");
    ASSERT_FALSE(skopeo_.empty());
    ASSERT_FALSE(umoci_.empty());
    home_ = path("home");
    for (const char* sub : {"", "/data", "/config", "/cache", "/run", "/tmp"})
      ASSERT_TRUE(core::make_dirs(home_ + sub).ok());
  }
  std::string path(const std::string& name) const { return dir_->path() + "/" + name; }

  // skopeo keeps a blob-info cache under /var/lib/containers when run as
  // root; claiming a non-root uid moves it (and everything else it writes)
  // into our sandbox home.
  core::ProcessResult skopeo(std::vector<std::string> args) {
    std::vector<std::string> argv = {"env",
                                     "HOME=" + home_,
                                     "XDG_DATA_HOME=" + home_ + "/data",
                                     "XDG_CONFIG_HOME=" + home_ + "/config",
                                     "XDG_CACHE_HOME=" + home_ + "/cache",
                                     "XDG_RUNTIME_DIR=" + home_ + "/run",
                                     "TMPDIR=" + home_ + "/tmp",
                                     "_CONTAINERS_ROOTLESS_UID=65534",
                                     skopeo_,
                                     "--tmpdir",
                                     home_ + "/tmp"};
    argv.insert(argv.end(), args.begin(), args.end());
    return oci::test_util::run(argv);
  }

  json skopeo_json(std::vector<std::string> args) {
    auto r = skopeo(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  // Writes a layout at `out`: one image per platform; a single one is tagged
  // directly, several through an image index.
  std::vector<Descriptor> write_layout(const std::string& out, const std::vector<Platform>& ps,
                                       const std::string& tag, Descriptor* index = nullptr) {
    auto w = LayoutWriter::create(out);
    EXPECT_TRUE(w.ok());
    std::vector<Descriptor> manifests;
    for (const auto& p : ps) {
      auto m = w->add_image(oci::test_util::two_layer_image(dir_->path(), p), BlobTransfer::kCopy);
      EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message());
      manifests.push_back(*m);
    }
    if (ps.size() == 1) {
      EXPECT_TRUE(w->add_to_index(manifests[0], tag).ok());
    } else {
      auto idx = w->add_index(manifests);
      EXPECT_TRUE(idx.ok());
      if (index) *index = *idx;
      EXPECT_TRUE(w->add_to_index(*idx, tag).ok());
    }
    auto st = w->commit();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message());
    return manifests;
  }

  std::unique_ptr<core::TempDir> dir_;
  std::string skopeo_, umoci_, home_;
};

TEST_F(ExternalToolsTest, SkopeoInspectsTheLayout) {
  Image img = oci::test_util::two_layer_image(dir_->path(), oci::test_util::amd64());
  auto manifests = write_layout(path("oci"), {oci::test_util::amd64()}, "1.0");
  json info = skopeo_json({"inspect", "oci:" + path("oci") + ":1.0"});
  EXPECT_EQ(info["Digest"], manifests[0].digest.str());
  EXPECT_EQ(info["Architecture"], "amd64");
  EXPECT_EQ(info["Os"], "linux");
  EXPECT_EQ(info["Created"], "1970-01-01T00:00:00Z");
  EXPECT_EQ(info["Layers"], json({img.layers[0].digest.str(), img.layers[1].digest.str()}));
  // The config skopeo decodes is the one we wrote.
  json config = skopeo_json({"inspect", "--config", "oci:" + path("oci") + ":1.0"});
  EXPECT_EQ(config["config"]["Entrypoint"], json({"/usr/bin/app"}));
  EXPECT_EQ(config["rootfs"]["diff_ids"],
            json({img.layers[0].diff_id.str(), img.layers[1].diff_id.str()}));
}

TEST_F(ExternalToolsTest, UmociUnpacksTheLayout) {
  write_layout(path("oci"), {oci::test_util::amd64()}, "1.0");
  std::string bundle = path("bundle");
  auto r = oci::test_util::run({"env", "HOME=" + home_, umoci_, "unpack", "--rootless", "--image",
                                path("oci") + ":1.0", bundle});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string rootfs = bundle + "/rootfs";
  EXPECT_EQ(*core::read_file(rootfs + "/etc/hello.txt"), "hello from distill\n");
  EXPECT_EQ(*core::read_file(rootfs + "/srv/data/readme"), "layer two\n");  // second layer
  struct stat st {};
  ASSERT_EQ(::lstat((rootfs + "/usr/bin/app").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0755u);  // executable, no setuid
  ASSERT_EQ(::lstat((rootfs + "/usr/bin/app-link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  char target[16] = {};
  ASSERT_EQ(::readlink((rootfs + "/usr/bin/app-link").c_str(), target, sizeof target - 1), 3);
  EXPECT_STREQ(target, "app");
  ASSERT_EQ(::lstat((rootfs + "/etc").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  json runtime = json::parse(*core::read_file(bundle + "/config.json"));
  EXPECT_EQ(runtime["process"]["args"], json({"/usr/bin/app"}));
  EXPECT_EQ(runtime["process"]["user"]["uid"], 65532);
}

TEST_F(ExternalToolsTest, SkopeoReadsAndCopiesTheDockerArchive) {
  Image img = oci::test_util::two_layer_image(dir_->path(), oci::test_util::amd64());
  ASSERT_TRUE(write_docker_archive(path("image.tar"), {img}, {"example.invalid/app:1.0"}).ok());
  json info = skopeo_json({"inspect", "docker-archive:" + path("image.tar")});
  EXPECT_EQ(info["Architecture"], "amd64");
  // containers/image serves docker-archive layers uncompressed: it lists diff_ids.
  EXPECT_EQ(info["Layers"], json({img.layers[0].diff_id.str(), img.layers[1].diff_id.str()}));
  json tagged =
      skopeo_json({"inspect", "docker-archive:" + path("image.tar") + ":example.invalid/app:1.0"});
  EXPECT_EQ(tagged["Architecture"], "amd64");

  auto copy = skopeo({"--insecure-policy", "copy", "docker-archive:" + path("image.tar"),
                      "oci:" + path("copied") + ":x"});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  // The copy reads back with our reader, same layers by content.
  auto reader = LayoutReader::open(path("copied"), {});
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  auto images = (*reader)->images();
  ASSERT_TRUE(images.ok()) << images.error().message();
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ((*images)[0].ref_names, std::vector<std::string>{"x"});
  EXPECT_EQ((*images)[0].config.diff_ids,
            (std::vector<Digest>{img.layers[0].diff_id, img.layers[1].diff_id}));
  // skopeo wrote its cache into the sandbox, not the host.
  EXPECT_TRUE(core::path_exists(home_ + "/data/containers/cache/blob-info-cache-v1.boltdb"));
}

TEST_F(ExternalToolsTest, SkopeoPicksEachPlatformFromTheIndex) {
  Descriptor index;
  auto manifests = write_layout(path("oci"), {oci::test_util::amd64(), oci::test_util::arm64()},
                                "multi", &index);
  std::string ref = "oci:" + path("oci") + ":multi";
  auto raw = skopeo({"inspect", "--raw", ref});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_EQ(raw.out, *core::read_file(path("oci/blobs/sha256/" + index.digest.hex())));
  json j = json::parse(raw.out);
  EXPECT_EQ(j["mediaType"], kMediaTypeIndex);
  ASSERT_EQ(j["manifests"].size(), 2u);
  EXPECT_EQ(j["manifests"][1]["platform"],
            json({{"architecture", "arm64"}, {"os", "linux"}, {"variant", "v8"}}));

  json arm = skopeo_json({"--override-arch", "arm64", "inspect", ref});
  EXPECT_EQ(arm["Architecture"], "arm64");
  json amd = skopeo_json({"--override-arch", "amd64", "inspect", ref});
  EXPECT_EQ(amd["Architecture"], "amd64");
  // The platform choice reaches the config, not just the label.
  auto arm_raw = skopeo({"--override-arch", "arm64", "inspect", "--config", "--raw", ref});
  ASSERT_EQ(arm_raw.exit_code, 0) << arm_raw.err;
  EXPECT_NE(arm_raw.out.find(R"("variant":"v8")"), std::string::npos);
}

}  // namespace
