#include "registry/transfer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "core/file_util.hpp"
#include "oci/blob_fetch.hpp"
#include "oci/docker_archive.hpp"
#include "oci/image_tree.hpp"
#include "oci/layout_reader.hpp"
#include "oci/layout_writer.hpp"
#include "oci/media_types.hpp"
#include "registry/registry_reader.hpp"
#include "unit/oci/oci_test_util.hpp"
#include "unit/registry/fake_registry.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using registry::test_util::FakeClock;
using registry::test_util::FakeRegistry;
using registry::test_util::kHost;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

class TransferTest : public test_support::TempFolderTest {
 protected:
  void SetUp() override {
    TempFolderTest::SetUp();
    auto w = oci::LayoutWriter::create(path("layout"));
    ASSERT_TRUE(w.ok()) << w.error().message();
    auto amd = w->add_image(oci::test_util::two_layer_image(dir_->path(), oci::test_util::amd64()));
    auto arm = w->add_image(oci::test_util::two_layer_image(dir_->path(), oci::test_util::arm64()));
    ASSERT_TRUE(amd.ok() && arm.ok());
    auto index = w->add_index({*amd, *arm});
    ASSERT_TRUE(index.ok());
    ASSERT_TRUE(w->add_to_index(*index, "v1").ok());
    ASSERT_TRUE(w->commit().ok());
    auto reader = oci::LayoutReader::open(path("layout"), {});
    ASSERT_TRUE(reader.ok()) << reader.error().message();
    layout_ = std::move(*reader);
    top_ = layout_->index().manifests.at(0);
  }

  registry::Reference ref(const std::string& text) { return *registry::parse_reference(text); }

  core::Result<oci::Descriptor> push(const std::string& to, registry::BlobHints* hints = nullptr) {
    registry::PushOptions o;
    o.hints = hints;
    return registry::push_image(*layout_, top_, client_, ref(to), o);
  }

  FakeRegistry fake_;
  FakeClock clock_;
  registry::Client client_{fake_, clock_, kHost, {}, {}};
  std::unique_ptr<oci::LayoutReader> layout_;
  oci::Descriptor top_;
};

TEST_F(TransferTest, PushesBlobsThenManifestsThenTheTagLast) {
  auto pushed = push("127.0.0.1:5000/team/app:v1");
  ASSERT_TRUE(pushed.ok()) << pushed.error().message();
  EXPECT_EQ(pushed->digest, top_.digest);
  auto log = fake_.log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back(), "PUT /v2/team/app/manifests/v1");
  // Four distinct blobs: the two platforms share their layers.
  EXPECT_EQ(fake_.count("POST /v2/team/app/blobs/uploads/"), 4);
  // Each blob went out as a streamed body, not a string in memory.
  EXPECT_EQ(fake_.streamed_bodies, 4);
  auto first_manifest = std::find_if(log.begin(), log.end(), [](const std::string& l) {
    return l.starts_with("PUT") && l.find("/manifests/") != std::string::npos;
  });
  for (auto it = first_manifest; it != log.end(); ++it)
    EXPECT_EQ(it->find("/blobs/"), std::string::npos) << *it;
  EXPECT_TRUE(fake_.has_manifest("team/app", top_.digest.str()));
}

TEST_F(TransferTest, EachManifestIsPutOnceTheTopOnlyByItsTag) {
  ASSERT_TRUE(push("127.0.0.1:5000/team/app:v1").ok());
  // The two platforms' manifests by digest, then the index by its tag: a
  // registry serves it by digest from that one PUT.
  EXPECT_EQ(fake_.count("PUT /v2/team/app/manifests/sha256:"), 2);
  EXPECT_EQ(fake_.count("PUT /v2/team/app/manifests/v1"), 1);
  EXPECT_EQ(fake_.count("PUT /v2/team/app/manifests/" + top_.digest.str()), 0);
  EXPECT_TRUE(fake_.has_manifest("team/app", top_.digest.str()));
}

TEST_F(TransferTest, APushByDigestPutsTheTopByItsDigest) {
  ASSERT_TRUE(push("127.0.0.1:5000/team/app@" + top_.digest.str()).ok());
  EXPECT_EQ(fake_.count("PUT /v2/team/app/manifests/sha256:"), 3);
  EXPECT_TRUE(fake_.has_manifest("team/app", top_.digest.str()));
}

TEST_F(TransferTest, RepushUploadsNothingAndSecondRepositoryMounts) {
  auto hints = registry::BlobHints::load("");
  ASSERT_TRUE(hints.ok());
  ASSERT_TRUE(push("127.0.0.1:5000/team/app:v1", &*hints).ok());
  fake_.clear_log();
  ASSERT_TRUE(push("127.0.0.1:5000/team/app:v1", &*hints).ok());
  // The tag already names this image: one HEAD, nothing else.
  EXPECT_EQ(fake_.log(), std::vector<std::string>{"HEAD /v2/team/app/manifests/v1"});
  EXPECT_EQ(client_.stats().skipped, 4);
  fake_.clear_log();
  ASSERT_TRUE(push("127.0.0.1:5000/team/other:v1", &*hints).ok());
  EXPECT_EQ(fake_.count("POST /v2/team/other/blobs/uploads/?mount="), 4);
  EXPECT_EQ(fake_.count("PUT /v2/team/other/blobs/"), 0);
  EXPECT_EQ(client_.stats().mounted, 4);
}

TEST_F(TransferTest, FailedPushLeavesNoTagAndRetrySucceeds) {
  fake_.fail_matching = "PUT /v2/team/app/manifests/sha256:";
  auto failed = push("127.0.0.1:5000/team/app:v1");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.error().message(), HasSubstr("push manifest"));
  EXPECT_FALSE(fake_.has_manifest("team/app", "v1"));
  fake_.fail_matching.clear();
  fake_.clear_log();
  ASSERT_TRUE(push("127.0.0.1:5000/team/app:v1").ok());
  EXPECT_EQ(fake_.count("POST"), 0);  // the blobs made it the first time
  EXPECT_TRUE(fake_.has_manifest("team/app", "v1"));
}

TEST_F(TransferTest, PullRoundTripsTheIndexAndSelectsPlatforms) {
  ASSERT_TRUE(push("127.0.0.1:5000/team/app:v1").ok());
  auto reader = registry::RegistryReader::open(ref("127.0.0.1:5000/team/app:v1"), client_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  const oci::Descriptor& top = (*reader)->index().manifests.at(0);
  EXPECT_EQ(top.digest, top_.digest);
  EXPECT_EQ(top.media_type, oci::kMediaTypeIndex);
  ASSERT_TRUE(oci::write_layout(**reader, top, path("pulled"), {"v1"}, {4, false}).ok());
  auto back = oci::LayoutReader::open(path("pulled"), {});
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ((*back)->index().manifests.at(0).digest, top_.digest);
  auto images = (*back)->images();
  ASSERT_TRUE(images.ok()) << images.error().message();
  EXPECT_EQ(images->size(), 2u);

  auto arm = oci::select_platform(**reader, top, "linux/arm64");
  ASSERT_TRUE(arm.ok()) << arm.error().message();
  EXPECT_EQ(arm->platform->architecture, "arm64");
  auto none = oci::select_platform(**reader, top, "linux/s390x");
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.error().message(), HasSubstr("linux/amd64"));

  ASSERT_TRUE(oci::write_docker_archive(**reader, *arm, path("arm.tar"), {"app:arm"}).ok());
  EXPECT_TRUE(core::path_exists(path("arm.tar")));
  auto whole = oci::write_docker_archive(**reader, top, path("all.tar"), {});
  EXPECT_FALSE(whole.ok());
  EXPECT_FALSE(core::path_exists(path("all.tar")));
}

TEST_F(TransferTest, CorruptBlobFailsThePullAndWritesNothing) {
  ASSERT_TRUE(push("127.0.0.1:5000/team/app:v1").ok());
  auto reader = registry::RegistryReader::open(ref("127.0.0.1:5000/team/app:v1"), client_);
  ASSERT_TRUE(reader.ok());
  auto images = (*reader)->images();
  ASSERT_TRUE(images.ok());
  fake_.corrupt_blob(images->at(0).manifest.layers.at(0).digest.str());
  auto s = oci::write_layout(**reader, (*reader)->index().manifests.at(0), path("pulled"), {"v1"},
                             {4, false});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("sha256:"));
  EXPECT_FALSE(core::path_exists(path("pulled")));
  for (const auto& name : oci::test_util::list_dir(dir_->path()))
    EXPECT_EQ(name.find("pulled"), std::string::npos) << name << " left behind";
}

TEST_F(TransferTest, APullCutMidBlobResumesAndVerifies) {
  ASSERT_TRUE(push("127.0.0.1:5000/team/app:v1").ok());
  auto reader = registry::RegistryReader::open(ref("127.0.0.1:5000/team/app:v1"), client_);
  ASSERT_TRUE(reader.ok());
  fake_.cut_next_blob_after(10);
  auto s = oci::write_layout(**reader, (*reader)->index().manifests.at(0), path("pulled"), {"v1"},
                             {1, false});
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(fake_.ranges_asked.size(), 1u);
}

TEST_F(TransferTest, AFullDiskSaysSoNotTampered) {
  ASSERT_TRUE(push("127.0.0.1:5000/team/app:v1").ok());
  auto reader = registry::RegistryReader::open(ref("127.0.0.1:5000/team/app:v1"), client_);
  ASSERT_TRUE(reader.ok());
  auto images = (*reader)->images();
  ASSERT_TRUE(images.ok());
  // Every write to /dev/full fails with ENOSPC.
  auto s =
      oci::fetch_blobs(**reader, {images->at(0).manifest.layers.at(0)}, {"/dev/full"}, {1, false});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("No space left on device"));
  EXPECT_THAT(s.error().message(), Not(HasSubstr("tampered")));
  EXPECT_TRUE(clock_.sleeps.empty()) << "a full disk is not retried";
}

TEST_F(TransferTest, PushRefusesADescriptorTheRegistrysBlobContradicts) {
  ASSERT_TRUE(push("127.0.0.1:5000/team/app:v1").ok());
  // The same blobs under a manifest that claims one layer is a byte longer.
  auto images = layout_->images();
  ASSERT_TRUE(images.ok());
  oci::Manifest m = images->at(0).manifest;
  m.layers.at(0).size += 1;
  auto w = oci::LayoutWriter::create(path("lying"));
  ASSERT_TRUE(w.ok());
  auto json = oci::manifest_json(m);
  ASSERT_TRUE(json.ok());
  auto top = w->add_blob(oci::kMediaTypeManifest, *json);
  ASSERT_TRUE(top.ok()) << top.error().message();
  ASSERT_TRUE(w->add_to_index(*top, "v2").ok());
  ASSERT_TRUE(w->commit().ok());
  auto lying = oci::LayoutReader::open(path("lying"), {});
  ASSERT_TRUE(lying.ok()) << lying.error().message();
  auto pushed = registry::push_image(**lying, *top, client_, ref("127.0.0.1:5000/team/app:v2"), {});
  ASSERT_FALSE(pushed.ok());
  EXPECT_THAT(pushed.error().message(), HasSubstr("its descriptor says"));
  EXPECT_FALSE(fake_.has_manifest("team/app", "v2"));
}

TEST_F(TransferTest, CorruptLocalBlobFailsThePushAtOnceWithoutATag) {
  auto images = layout_->images();
  ASSERT_TRUE(images.ok());
  const auto& layer = images->at(0).manifest.layers.at(1);
  std::string file = path("layout") + "/blobs/sha256/" + layer.digest.hex();
  std::string same_size(static_cast<size_t>(layer.size), 'x');
  ASSERT_TRUE(core::write_file_atomic(file, same_size).ok());
  auto pushed = push("127.0.0.1:5000/team/app:v1");
  ASSERT_FALSE(pushed.ok());
  EXPECT_THAT(pushed.error().message(), HasSubstr("does not match its digest"));
  // Four blobs, one session each at most: the bad one was not retried.
  EXPECT_LE(fake_.count("POST /v2/team/app/blobs/uploads/"), 4);
  EXPECT_FALSE(fake_.has_manifest("team/app", "v1"));
  EXPECT_TRUE(clock_.sleeps.empty()) << "no backoff for a local corruption";
}

}  // namespace
