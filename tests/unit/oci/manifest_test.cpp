#include "oci/manifest.hpp"

#include <gtest/gtest.h>

#include "oci/media_types.hpp"

using namespace distill;
using namespace distill::oci;

namespace {

Descriptor blob(std::string_view media_type, std::string_view content) {
  return describe(media_type, content);
}

TEST(Manifest, SerialisesDeterministically) {
  Manifest m;
  m.config = blob(kMediaTypeConfig, "{}");
  m.layers = {blob(kMediaTypeLayerGzip, "layer")};
  m.annotations = {{"org.opencontainers.image.title", "app"}};
  auto json = manifest_json(m);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json,
            R"({"annotations":{"org.opencontainers.image.title":"app"},"config":{"digest":")" +
                m.config.digest.str() +
                R"(","mediaType":"application/vnd.oci.image.config.v1+json","size":2},)"
                R"("layers":[{"digest":")" +
                m.layers[0].digest.str() +
                R"(","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":5}],)"
                R"("mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2})");
  auto back = parse_manifest(*json, "m");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->config.digest, m.config.digest);
  EXPECT_EQ(back->layers.size(), 1u);
  EXPECT_EQ(back->layers[0].media_type, kMediaTypeLayerGzip);
  EXPECT_EQ(back->annotations, m.annotations);
}

TEST(Index, CarriesPlatformsAndRefNames) {
  Index i;
  Descriptor a = blob(kMediaTypeManifest, "a");
  a.platform = Platform{"linux", "arm64", "v8"};
  a.annotations[std::string(kAnnotationRefName)] = "latest";
  i.manifests = {a};
  auto json = index_json(i);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json,
            R"({"manifests":[{"annotations":{"org.opencontainers.image.ref.name":"latest"},)"
            R"("digest":")" +
                a.digest.str() +
                R"(","mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                R"("platform":{"architecture":"arm64","os":"linux","variant":"v8"},"size":1}],)"
                R"("mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2})");
  auto back = parse_index(*json, "i");
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->manifests.size(), 1u);
  EXPECT_EQ(*back->manifests[0].platform, *a.platform);
  EXPECT_EQ(back->manifests[0].annotations, a.annotations);
}

TEST(Manifest, AcceptsDockerSchema2) {
  std::string docker = R"({"schemaVersion":2,
    "mediaType":"application/vnd.docker.distribution.manifest.v2+json",
    "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,
      "digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},
    "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654,
      "digest":"sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"}]})";
  auto m = parse_manifest(docker, "docker");
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->layers[0].size, 32654);
}

TEST(Manifest, RefusesMalformed) {
  EXPECT_FALSE(parse_manifest(R"({"schemaVersion":1,"config":{}})", "m").ok());
  EXPECT_FALSE(parse_manifest(R"({"schemaVersion":2})", "m").ok());  // no config
  EXPECT_FALSE(
      parse_manifest(
          R"({"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:00","size":1}})", "m")
          .ok());
  auto negative = parse_manifest(
      R"({"schemaVersion":2,"config":{"mediaType":"x","size":-1,)"
      R"("digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}})",
      "m");
  EXPECT_FALSE(negative.ok());
  auto wrong_type = parse_manifest(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","config":{}})",
      "sha256:abc");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().where, "manifest sha256:abc");
  EXPECT_FALSE(parse_index("not json", "i").ok());
  EXPECT_FALSE(parse_index(R"({"schemaVersion":2,"manifests":{}})", "i").ok());
}

}  // namespace
