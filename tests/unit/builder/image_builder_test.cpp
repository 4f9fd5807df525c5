#include "builder/image_builder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builder/pipeline.hpp"
#include "builder/spec.hpp"
#include "core/file_util.hpp"
#include "oci/image_reader.hpp"
#include "oci/layout_reader.hpp"
#include "unit/builder/signed_archive.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using ::testing::Contains;
using ::testing::HasSubstr;

namespace {

class ImageBuilderTest : public test_support::TempFolderTest {
 protected:
  void SetUp() override {
    TempFolderTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(archive_.publish(builder::test_util::static_preset_packages()));
    ASSERT_NO_FATAL_FAILURE(archive_.open(path("cache")));
  }

  builder::Spec spec(const std::string& extra = "") {
    auto s = builder::parse_spec("distro: debian12\nbase: static\narchs: [amd64]\n" + extra,
                                 path("distill.yaml"), dir_->path());
    EXPECT_TRUE(s.ok()) << s.error().message();
    return s.ok() ? *s : builder::Spec{};
  }

  builder::BuildOptions options(const std::string& output) {
    builder::BuildOptions o;
    o.output = path(output);
    return o;
  }

  core::Result<builder::BuildReport> build(const builder::Spec& s, const builder::BuildOptions& o) {
    return builder::build_image(s, o, archive_.repo(), archive_.cache());
  }

  // The one platform image of the layout at `output`.
  oci::PlatformImage read_image(const std::string& output) {
    auto reader = oci::LayoutReader::open(path(output), {});
    EXPECT_TRUE(reader.ok()) << reader.error().message();
    if (!reader.ok()) return {};
    auto images = (*reader)->images();
    EXPECT_TRUE(images.ok()) << images.error().message();
    if (!images.ok() || images->size() != 1) return {};
    return images->front();
  }

  builder::test_util::SignedArchive archive_;
};

TEST_F(ImageBuilderTest, WritesTheImageTheSpecDescribes) {
  // The build checks that the entrypoint exists and is executable: give it one.
  ASSERT_TRUE(core::write_file_atomic(path("run"), "#!/bin/true\n", 0755).ok());
  auto report = build(spec("env: {GREETING: hi}\nentrypoint: [/app/run]\n"
                           "files:\n  - {src: run, dst: /app/run}\n"),
                      options("image"));
  ASSERT_TRUE(report.ok()) << report.error().message();
  ASSERT_EQ(report->archs.size(), 1u);
  const auto& r = report->archs.front();
  EXPECT_EQ(r.arch, "amd64");
  EXPECT_THAT(r.packages, Contains("base-files=12.4"));
  EXPECT_THAT(r.packages, Contains("tzdata=2024a-0"));
  // base-files' postinst was read: its package has a report.
  ASSERT_FALSE(r.effects.packages.empty());
  EXPECT_EQ(r.effects.packages.front().package, "base-files");
  EXPECT_FALSE(r.os_layer_cached);
  EXPECT_GT(r.uncompressed_bytes, 0u);

  oci::PlatformImage image = read_image("image");
  EXPECT_EQ(image.manifest_descriptor.digest.str(), report->digest);
  EXPECT_EQ(r.manifest_digest, report->digest);
  // The package layers, the image's own layer, then the app's files.
  ASSERT_EQ(image.manifest.layers.size(), r.layers.size());
  ASSERT_GE(r.layers.size(), 3u);
  EXPECT_EQ(r.layers.back().name, "files");
  EXPECT_EQ(r.layers[r.layers.size() - 2].name, "image");
  uint64_t sum = 0;
  for (const auto& l : image.manifest.layers) sum += static_cast<uint64_t>(l.size);
  EXPECT_EQ(sum, r.compressed_bytes);
  ASSERT_EQ(image.config.history.size(), r.layers.size());
  EXPECT_THAT(image.config.history.front().created_by, HasSubstr("distill build: debian12 static"));
  EXPECT_EQ(image.config.platform.architecture, "amd64");
  EXPECT_EQ(image.config.config.user, "65532:65532");
  EXPECT_EQ(image.config.config.entrypoint, std::vector<std::string>{"/app/run"});
  EXPECT_THAT(image.config.config.env, Contains("GREETING=hi"));
  EXPECT_THAT(image.config.config.env,
              Contains("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"));
  EXPECT_EQ(image.manifest.annotations.at("org.opencontainers.image.base.name"),
            "distill/static:debian12");
}

TEST_F(ImageBuilderTest, SecondBuildReusesTheCachedLayer) {
  auto first = build(spec(), options("one"));
  ASSERT_TRUE(first.ok()) << first.error().message();
  size_t requests = archive_.transport().request_count();
  auto second = build(spec(), options("two"));
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_FALSE(first->archs[0].os_layer_cached);
  EXPECT_TRUE(second->archs[0].os_layer_cached);
  EXPECT_EQ(second->digest, first->digest);
  // The notes come back with the cached layer.
  EXPECT_EQ(effects::to_json(second->archs[0].effects), effects::to_json(first->archs[0].effects));
  // Nothing is fetched: the repository verified its Releases once, and no
  // index or .deb is needed.
  EXPECT_EQ(archive_.transport().request_count() - requests, 0u);

  builder::BuildOptions fresh = options("three");
  fresh.reuse_cache = false;
  auto third = build(spec(), fresh);
  ASSERT_TRUE(third.ok()) << third.error().message();
  EXPECT_FALSE(third->archs[0].os_layer_cached);
  EXPECT_EQ(third->digest, first->digest);  // reproducible
}

TEST_F(ImageBuilderTest, LockReplaysTheSameImage) {
  builder::Spec s = spec();
  auto lock = builder::lock_spec(s, {}, archive_.repo(), archive_.cache());
  ASSERT_TRUE(lock.ok()) << lock.error().message();
  EXPECT_EQ(lock->base, "static");
  ASSERT_EQ(lock->archs.count("amd64"), 1u);
  EXPECT_EQ(lock->archs.at("amd64").extract.size(), 1u);  // ca-certificates

  auto resolved = build(s, options("resolved"));
  ASSERT_TRUE(resolved.ok()) << resolved.error().message();
  builder::BuildOptions o = options("locked");
  o.lock = &*lock;
  o.lock_path = "distill.lock";
  auto locked = build(s, o);
  ASSERT_TRUE(locked.ok()) << locked.error().message();
  EXPECT_EQ(locked->digest, resolved->digest);
}

TEST_F(ImageBuilderTest, RefusesALockMadeForAnotherRequest) {
  auto lock = builder::lock_spec(spec(), {}, archive_.repo(), archive_.cache());
  ASSERT_TRUE(lock.ok()) << lock.error().message();
  builder::BuildOptions o = options("image");
  o.lock = &*lock;
  o.lock_path = "distill.lock";
  auto r = build(spec("packages: [libc6]\n"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("distill.lock"));
  EXPECT_THAT(r.error().message(), HasSubstr("its packages differ from the spec's"));
  EXPECT_FALSE(core::path_exists(path("image")));
}

TEST_F(ImageBuilderTest, AnAppFileChangesOnlyTheAppLayer) {
  ASSERT_TRUE(core::write_file_atomic(path("app.txt"), "version 1\n").ok());
  const std::string files = "files:\n  - {src: app.txt, dst: /app/app.txt}\n";
  auto first = build(spec(files), options("one"));
  ASSERT_TRUE(first.ok()) << first.error().message();
  oci::PlatformImage one = read_image("one");
  ASSERT_EQ(one.manifest.layers.size(), first->archs[0].layers.size());

  ASSERT_TRUE(core::write_file_atomic(path("app.txt"), "version 2\n").ok());
  auto second = build(spec(files), options("two"));
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_TRUE(second->archs[0].os_layer_cached);
  EXPECT_NE(second->digest, first->digest);
  oci::PlatformImage two = read_image("two");
  ASSERT_EQ(two.manifest.layers.size(), one.manifest.layers.size());
  for (size_t i = 0; i + 1 < one.manifest.layers.size(); ++i)
    EXPECT_EQ(two.manifest.layers[i].digest, one.manifest.layers[i].digest);
  EXPECT_NE(two.manifest.layers.back().digest, one.manifest.layers.back().digest);
}

// The static preset's packages and two more, each in a layer of its own.
class EarlyLayersTest : public ImageBuilderTest {
 protected:
  void SetUp() override {
    TempFolderTest::SetUp();
    auto packages = builder::test_util::static_preset_packages();
    // As Debian's does, base-files ships the os-release the build replaces,
    // and the folders above status.d, which every package layer lists.
    packages.front().files["usr/lib/os-release"] = "ID=debian\n";
    packages.front().files["var/lib/dpkg/base-files.placeholder"] = "";
    // ca-certificates is read for the CA bundle whether the image installs
    // it or not; its copyright travels with the bundle.
    packages[4].files["usr/share/doc/ca-certificates/copyright"] = "MPL-2.0\n";
    packages.push_back({"libone", "1.0", "", {{"usr/lib/one/one.so", "one\n"}}});
    packages.push_back({"libtwo", "2.0", "libone", {{"usr/lib/two/two.so", "two\n"}}});
    ASSERT_NO_FATAL_FAILURE(archive_.publish(packages));
    ASSERT_NO_FATAL_FAILURE(archive_.open(path("cache")));
  }
};

// Package layers written while other .debs are read are the very layers the
// build would write after them: the same image, from an empty layer cache
// both times.
TEST_F(EarlyLayersTest, MakeTheSameImageAsLayersWrittenAfterTheReads) {
  const std::string extra = "packages: [libtwo]\n";
  builder::BuildOptions late = options("late");
  late.early_layers = false;
  late.reuse_cache = false;
  auto without = build(spec(extra), late);
  ASSERT_TRUE(without.ok()) << without.error().message();
  for (const auto& l : without->archs[0].layers) EXPECT_FALSE(l.early) << l.name;

  builder::BuildOptions early = options("early");
  early.reuse_cache = false;
  auto with = build(spec(extra), early);
  ASSERT_TRUE(with.ok()) << with.error().message();
  EXPECT_EQ(with->digest, without->digest);
  std::vector<std::string> written_early;
  for (const auto& l : with->archs[0].layers)
    if (l.early) written_early.push_back(l.name);
  // Every package layer (here one per source package) is written early.
  // base-files is in none: the system files change it, so it belongs to the
  // image's own layer, which is never written early.
  EXPECT_EQ(written_early,
            (std::vector<std::string>{"libone", "libtwo", "media-types", "netbase", "tzdata"}));
  EXPECT_EQ(with->archs[0].layers.back().name, "image");
  EXPECT_EQ(with->archs[0].layers.back().packages, 1u);
  ASSERT_EQ(with->archs[0].layers.size(), without->archs[0].layers.size());
  for (size_t i = 0; i < with->archs[0].layers.size(); ++i)
    EXPECT_EQ(with->archs[0].layers[i].digest, without->archs[0].layers[i].digest);

  // With the layers cached, nothing is written at all, early or late.
  auto cached = build(spec(extra), options("cached"));
  ASSERT_TRUE(cached.ok()) << cached.error().message();
  EXPECT_EQ(cached->digest, with->digest);
  for (const auto& l : cached->archs[0].layers) EXPECT_FALSE(l.early) << l.name;
}

// An image that installs ca-certificates gets the copyright the bundle
// brings along from the same package: the package is left as it shipped and
// keeps a layer of its own.
TEST_F(EarlyLayersTest, AnInstalledCaCertificatesStaysInItsOwnLayer) {
  builder::BuildOptions o = options("image");
  auto r = build(spec("packages: [ca-certificates]\n"), o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  std::vector<std::string> names;
  for (const auto& l : r->archs[0].layers) names.push_back(l.name);
  EXPECT_THAT(names, Contains("ca-certificates"));
  EXPECT_EQ(r->archs[0].layers.back().name, "image");
  EXPECT_EQ(r->archs[0].layers.back().packages, 1u) << "base-files alone";
}

// Records the order in which the pipeline's stages end.
class RecordingObserver : public builder::PipelineObserver {
 public:
  void built(const builder::BuildReport& r) override { events.push_back("built " + r.digest); }
  void sboms_written(const std::vector<std::string>& paths) override {
    for (const auto& p : paths) events.push_back("sbom " + p);
  }
  std::vector<std::string> events;
};

TEST_F(ImageBuilderTest, PipelineWritesTheSbomBesideTheImage) {
  builder::ShipOptions ship;
  ship.sbom = true;
  RecordingObserver observer;
  auto r = builder::build_and_ship(spec(), options("image"), ship, archive_.repo(),
                                   archive_.cache(), &observer);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->sbom_files.size(), 1u);
  EXPECT_EQ(r->sbom_files[0], path("image.spdx.json"));
  EXPECT_TRUE(core::path_exists(path("image.spdx.json")));
  EXPECT_TRUE(r->pushes.empty());
  EXPECT_EQ(observer.events, (std::vector<std::string>{"built " + r->build.digest,
                                                       "sbom " + path("image.spdx.json")}));
  auto text = core::read_file(path("image.spdx.json"));
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("base-files"));
}

}  // namespace
