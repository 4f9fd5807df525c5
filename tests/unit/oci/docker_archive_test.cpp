#include "oci/docker_archive.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/temp_dir.hpp"
#include "unit/oci/oci_test_util.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using namespace distill::oci;
using nlohmann::json;

namespace {

class DockerArchiveTest : public distill::test_support::TempFolderTest {
 protected:
};

TEST_F(DockerArchiveTest, WritesTheDockerSaveLayout) {
  Image img = oci::test_util::two_layer_image(dir_->path(), oci::test_util::amd64());
  img.config.created = 1700000000;
  auto st = write_docker_archive(path("image.tar"), {img}, {"example.invalid/app:1.0", "app"});
  ASSERT_TRUE(st.ok()) << st.error().message();
  auto items = oci::test_util::read_tar(path("image.tar"));
  std::vector<std::string> names;
  std::map<std::string, oci::test_util::TarItem> by;
  for (const auto& t : items) {
    names.push_back(t.path);
    by[t.path] = t;
    EXPECT_EQ(t.mtime, 1700000000) << t.path;
    EXPECT_EQ(t.uid, 0);
    EXPECT_EQ(t.uname, "");
  }
  ImageMetadata meta = *image_metadata(img);
  std::string l1 = img.layers[0].digest.hex(), l2 = img.layers[1].digest.hex();
  std::vector<std::string> expected = {l1 + "/",
                                       l1 + "/layer.tar",
                                       l2 + "/",
                                       l2 + "/layer.tar",
                                       meta.config.digest.hex() + ".json",
                                       "manifest.json",
                                       "repositories"};
  std::sort(expected.begin(), expected.end(),
            [](const std::string& a, const std::string& b) { return layer_path_less(a, b); });
  EXPECT_EQ(names, expected);
  // Layers are the exact blobs; the config is the exact config.
  EXPECT_EQ(core::sha256_hex(by[l1 + "/layer.tar"].content), l1);
  EXPECT_EQ(by[meta.config.digest.hex() + ".json"].content, meta.config_json);
  json manifest = json::parse(by["manifest.json"].content);
  ASSERT_EQ(manifest.size(), 1u);
  EXPECT_EQ(manifest[0]["Config"], meta.config.digest.hex() + ".json");
  EXPECT_EQ(manifest[0]["RepoTags"], json({"app:latest", "example.invalid/app:1.0"}));
  EXPECT_EQ(manifest[0]["Layers"], json({l1 + "/layer.tar", l2 + "/layer.tar"}));
  json repos = json::parse(by["repositories"].content);
  EXPECT_EQ(repos["example.invalid/app"]["1.0"], l2);
  EXPECT_EQ(repos["app"]["latest"], l2);
}

TEST_F(DockerArchiveTest, Deterministic) {
  Image img = oci::test_util::two_layer_image(dir_->path(), oci::test_util::amd64());
  ASSERT_TRUE(write_docker_archive(path("a.tar"), {img}, {"app:1"}).ok());
  ASSERT_TRUE(write_docker_archive(path("b.tar"), {img}, {"app:1"}).ok());
  EXPECT_EQ(*core::sha256_file(path("a.tar")), *core::sha256_file(path("b.tar")));
}

TEST_F(DockerArchiveTest, HoldsOnePlatformOnly) {
  Image a = oci::test_util::two_layer_image(dir_->path(), oci::test_util::amd64());
  Image b = oci::test_util::two_layer_image(dir_->path(), oci::test_util::arm64());
  auto st = write_docker_archive(path("x.tar"), {a, b}, {"app"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(
      st.error().message(),
      path("x.tar") + ": docker-archive holds one platform (use --format oci or pick --arch)");
  EXPECT_FALSE(core::path_exists(path("x.tar")));
  EXPECT_FALSE(write_docker_archive(path("x.tar"), {}, {}).ok());
}

TEST_F(DockerArchiveTest, RefusesZstdLayersAndBadTags) {
  Image z =
      oci::test_util::two_layer_image(dir_->path(), oci::test_util::amd64(), Compression::kZstd);
  auto st = write_docker_archive(path("z.tar"), {z}, {"app"});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().hint.find("gzip"), std::string::npos);
  Image g = oci::test_util::two_layer_image(dir_->path(), oci::test_util::amd64());
  EXPECT_FALSE(write_docker_archive(path("t.tar"), {g}, {"App:1"}).ok());
  EXPECT_FALSE(write_docker_archive(path("t.tar"), {g}, {"app@sha256:abc"}).ok());
  EXPECT_FALSE(write_docker_archive(path("t.tar"), {g}, {"app:-x"}).ok());
  // Only the layer blobs: no archive, no temporary.
  EXPECT_EQ(oci::test_util::list_dir(dir_->path()),
            (std::vector<std::string>{"layer1-amd64", "layer2-amd64"}));
}

TEST_F(DockerArchiveTest, ChangedLayerBlobIsAnErrorAndLeavesNothing) {
  Image img = oci::test_util::two_layer_image(dir_->path(), oci::test_util::amd64());
  std::string blob = *core::read_file(img.layers[0].path);
  blob[blob.size() / 2] ^= 1;  // same size, different bytes
  ASSERT_TRUE(core::write_file_atomic(img.layers[0].path, blob).ok());
  auto st = write_docker_archive(path("x.tar"), {img}, {});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().what.find("does not match"), std::string::npos);
  EXPECT_FALSE(core::path_exists(path("x.tar")));
  EXPECT_EQ(oci::test_util::list_dir(dir_->path()).size(), 2u);  // no temporary left
}

TEST(RepoTag, Normalises) {
  EXPECT_EQ(*normalize_repo_tag("app"), "app:latest");
  EXPECT_EQ(*normalize_repo_tag("example.invalid:5000/team/app"),
            "example.invalid:5000/team/app:latest");
  EXPECT_EQ(*normalize_repo_tag("example.invalid:5000/app:v1.0_rc"),
            "example.invalid:5000/app:v1.0_rc");
  EXPECT_FALSE(normalize_repo_tag("").ok());
  EXPECT_FALSE(normalize_repo_tag("app:").ok());
  EXPECT_FALSE(normalize_repo_tag("app b:1").ok());
}

}  // namespace
