#include "oci/layout_writer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/temp_dir.hpp"
#include "oci/media_types.hpp"
#include "unit/oci/oci_test_util.hpp"

using namespace distill;
using namespace distill::oci;
using nlohmann::json;

namespace {

class LayoutWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = core::TempDir::create();
    ASSERT_TRUE(d.ok());
    dir_ = std::make_unique<core::TempDir>(std::move(*d));
    out_ = dir_->path() + "/image";
  }
  // Writes a one-platform image tagged `tag` into out_.
  Descriptor write_image(const std::string& tag, const std::string& marker = "") {
    auto w = LayoutWriter::create(out_);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message());
    if (!w.ok()) return {};
    auto layer = write_layer({FsEntry::file("marker", marker)}, LayerOptions{}, w->scratch_path());
    EXPECT_TRUE(layer.ok());
    Image img;
    img.config.platform = oci::test_util::amd64();
    img.layers = {*layer};
    auto m = w->add_image(img, BlobTransfer::kMove);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message());
    EXPECT_TRUE(w->add_to_index(*m, tag).ok());
    auto st = w->commit();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message());
    return *m;
  }
  std::string read(const std::string& rel) {
    auto r = core::read_file(out_ + "/" + rel);
    EXPECT_TRUE(r.ok()) << rel;
    return r.ok() ? *r : "";
  }

  std::unique_ptr<core::TempDir> dir_;
  std::string out_;
};

TEST_F(LayoutWriterTest, WritesTheLayoutStructure) {
  Descriptor m = write_image("1.0");
  EXPECT_EQ(oci::test_util::list_dir(dir_->path()), std::vector<std::string>{"image"});
  EXPECT_EQ(oci::test_util::list_dir(out_),
            (std::vector<std::string>{"blobs", "index.json", "oci-layout"}));
  EXPECT_EQ(read("oci-layout"), R"({"imageLayoutVersion":"1.0.0"})");
  json index = json::parse(read("index.json"));
  ASSERT_EQ(index["manifests"].size(), 1u);
  EXPECT_EQ(index["manifests"][0]["digest"], m.digest.str());
  EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "1.0");
  EXPECT_EQ(index["manifests"][0]["platform"]["architecture"], "amd64");
  EXPECT_EQ(index["mediaType"], kMediaTypeIndex);
  // Every blob is named by the SHA-256 of its content; nothing else is left.
  auto blobs = oci::test_util::list_dir(out_ + "/blobs/sha256");
  EXPECT_EQ(blobs.size(), 3u);  // layer, config, manifest
  for (const auto& hex : blobs) {
    auto sum = core::sha256_file(out_ + "/blobs/sha256/" + hex);
    ASSERT_TRUE(sum.ok());
    EXPECT_EQ(*sum, hex);
  }
  json manifest = json::parse(read("blobs/sha256/" + m.digest.hex()));
  EXPECT_EQ(manifest["layers"][0]["mediaType"], kMediaTypeLayerGzip);
}

TEST_F(LayoutWriterTest, ModesIgnoreTheUmask) {
  mode_t old = ::umask(077);
  write_image("latest");
  ::umask(old);
  struct stat st {};
  for (const char* rel : {"", "/blobs", "/blobs/sha256"}) {
    ASSERT_EQ(::stat((out_ + rel).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0755u) << rel;
  }
  for (const char* rel : {"/index.json", "/oci-layout"}) {
    ASSERT_EQ(::stat((out_ + rel).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u) << rel;
  }
  for (const auto& hex : oci::test_util::list_dir(out_ + "/blobs/sha256")) {
    ASSERT_EQ(::stat((out_ + "/blobs/sha256/" + hex).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
  }
}

TEST_F(LayoutWriterTest, SameInputSameLayoutBytes) {
  write_image("latest");
  std::string index1 = read("index.json");
  auto blobs1 = oci::test_util::list_dir(out_ + "/blobs/sha256");
  write_image("latest");  // replaces the first
  EXPECT_EQ(read("index.json"), index1);
  EXPECT_EQ(oci::test_util::list_dir(out_ + "/blobs/sha256"), blobs1);
}

TEST_F(LayoutWriterTest, ReplacesAnEarlierLayoutOnlyOnCommit) {
  Descriptor first = write_image("v1", "one");
  {
    auto w = LayoutWriter::create(out_);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->add_blob(kMediaTypeConfig, "{}").ok());
    // Not committed yet: the old image is still there, whole.
    EXPECT_NE(read("index.json").find(first.digest.str()), std::string::npos);
  }
  EXPECT_NE(read("index.json").find(first.digest.str()), std::string::npos);
  EXPECT_EQ(oci::test_util::list_dir(dir_->path()), std::vector<std::string>{"image"});

  Descriptor second = write_image("v2", "two");
  EXPECT_NE(first.digest, second.digest);
  std::string index = read("index.json");
  EXPECT_EQ(index.find(first.digest.str()), std::string::npos);
  EXPECT_NE(index.find(second.digest.str()), std::string::npos);
  EXPECT_EQ(oci::test_util::list_dir(dir_->path()), std::vector<std::string>{"image"});
}

TEST_F(LayoutWriterTest, FailureMidWriteLeavesNoOutputAndNoTemporary) {
  {
    auto w = LayoutWriter::create(out_);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(oci::test_util::list_dir(dir_->path()).size(), 1u);  // the staging folder
    auto good =
        write_layer(oci::test_util::base_layer_entries(), LayerOptions{}, w->scratch_path());
    ASSERT_TRUE(good.ok());
    ASSERT_TRUE(w->add_blob_file(kMediaTypeLayerGzip, good->path, BlobTransfer::kMove).ok());
    // The second layer's source vanished: the build fails here.
    auto bad = write_layer({FsEntry::host_file("x", dir_->path() + "/gone")}, LayerOptions{},
                           w->scratch_path());
    ASSERT_FALSE(bad.ok());
  }  // the writer is dropped without commit()
  EXPECT_EQ(oci::test_util::list_dir(dir_->path()), std::vector<std::string>{});
}

TEST_F(LayoutWriterTest, AbandonedWriterKeepsTheOldImage) {
  Descriptor first = write_image("v1", "one");
  {
    auto w = LayoutWriter::create(out_);
    ASSERT_TRUE(w.ok());
    Descriptor d = *w->add_blob(kMediaTypeConfig, "{}");
    ASSERT_TRUE(w->add_to_index(d, "a").ok());
    EXPECT_FALSE(w->add_to_index(d, "a").ok());  // a tag names one thing
    Descriptor foreign = describe(kMediaTypeManifest, "not added");
    EXPECT_FALSE(w->add_to_index(foreign, "b").ok());
    EXPECT_FALSE(w->add_to_index(d, "bad tag").ok());
  }
  EXPECT_NE(read("index.json").find(first.digest.str()), std::string::npos);
  EXPECT_EQ(oci::test_util::list_dir(dir_->path()), std::vector<std::string>{"image"});
}

TEST_F(LayoutWriterTest, RefusesToReplaceSomethingElse) {
  ASSERT_TRUE(core::make_dirs(out_).ok());
  ASSERT_TRUE(core::write_file_atomic(out_ + "/precious.txt", "keep me").ok());
  auto w = LayoutWriter::create(out_);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().what, "exists and is not an OCI image layout");
  EXPECT_EQ(read("precious.txt"), "keep me");

  ASSERT_TRUE(core::write_file_atomic(dir_->path() + "/file", "x").ok());
  EXPECT_FALSE(LayoutWriter::create(dir_->path() + "/file").ok());
  EXPECT_FALSE(LayoutWriter::create(dir_->path() + "/missing/parent/out").ok());
  EXPECT_FALSE(LayoutWriter::create(".").ok());
  EXPECT_FALSE(LayoutWriter::create("/").ok());
}

TEST_F(LayoutWriterTest, EmptyFolderIsReplaced) {
  ASSERT_TRUE(core::make_dirs(out_).ok());
  write_image("latest");
  EXPECT_EQ(read("oci-layout"), R"({"imageLayoutVersion":"1.0.0"})");
}

TEST_F(LayoutWriterTest, BlobsAreVerifiedAndDeduplicated) {
  auto w = LayoutWriter::create(out_);
  ASSERT_TRUE(w.ok());
  std::string src = dir_->path() + "/src";
  ASSERT_TRUE(core::write_file_atomic(src, "payload").ok());
  Descriptor wrong = describe(kMediaTypeLayer, "other");
  auto bad = w->add_blob_file(kMediaTypeLayer, src, BlobTransfer::kCopy, &wrong);
  ASSERT_FALSE(bad.ok());
  auto copied = w->add_blob_file(kMediaTypeLayer, src, BlobTransfer::kCopy);
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(copied->digest, Digest::of("payload"));
  EXPECT_TRUE(core::path_exists(src));  // a copy keeps the source
  auto moved = w->add_blob_file(kMediaTypeLayer, src, BlobTransfer::kMove);
  ASSERT_TRUE(moved.ok());
  EXPECT_FALSE(core::path_exists(src));  // a move consumes it, even when deduplicated
  auto bytes = w->add_blob(kMediaTypeLayer, "payload");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->digest, copied->digest);
  ASSERT_TRUE(w->add_to_index(*bytes).ok());
  ASSERT_TRUE(w->commit().ok());
  EXPECT_EQ(oci::test_util::list_dir(out_ + "/blobs/sha256"),
            std::vector<std::string>{Digest::of("payload").hex()});
  EXPECT_FALSE(w->commit().ok());
}

TEST_F(LayoutWriterTest, AVerifiedBlobFileIsLinkedNotCopied) {
  auto w = LayoutWriter::create(out_);
  ASSERT_TRUE(w.ok());
  std::string src = dir_->path() + "/verified";
  ASSERT_TRUE(core::write_file_atomic(src, "layer bytes", 0644).ok());
  Descriptor d = describe(kMediaTypeLayer, "layer bytes");
  auto linked = w->link_blob(src, d);
  ASSERT_TRUE(linked.ok()) << linked.error().message();
  EXPECT_TRUE(*linked);
  ASSERT_TRUE(w->add_to_index(d).ok());
  ASSERT_TRUE(w->commit().ok());
  struct stat a {
  }, b{};
  ASSERT_EQ(::stat(src.c_str(), &a), 0);
  ASSERT_EQ(::stat((out_ + "/blobs/sha256/" + d.digest.hex()).c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);  // the same file: nothing copied
  EXPECT_EQ(b.st_mode & 07777, 0644u);
}

TEST_F(LayoutWriterTest, ABlobFileOfTheWrongSizeOrModeIsNotLinked) {
  auto w = LayoutWriter::create(out_);
  ASSERT_TRUE(w.ok());
  std::string src = dir_->path() + "/verified";
  ASSERT_TRUE(core::write_file_atomic(src, "layer bytes, grown", 0644).ok());
  auto wrong_size = w->link_blob(src, describe(kMediaTypeLayer, "layer bytes"));
  ASSERT_TRUE(wrong_size.ok());
  EXPECT_FALSE(*wrong_size);
  // Linking would hand the layout a file whose mode it must then change,
  // changing the source with it.
  ASSERT_EQ(::chmod(src.c_str(), 0600), 0);
  auto wrong_mode = w->link_blob(src, describe(kMediaTypeLayer, "layer bytes, grown"));
  ASSERT_TRUE(wrong_mode.ok());
  EXPECT_FALSE(*wrong_mode);
  EXPECT_TRUE(oci::test_util::list_dir(w->staging_dir() + "/blobs/sha256").empty());
}

TEST_F(LayoutWriterTest, MultiPlatformIndexUnderOneTag) {
  auto w = LayoutWriter::create(out_);
  ASSERT_TRUE(w.ok());
  std::vector<Descriptor> manifests;
  for (const auto& p : {oci::test_util::amd64(), oci::test_util::arm64()}) {
    Image img = oci::test_util::two_layer_image(dir_->path(), p);
    auto m = w->add_image(img);
    ASSERT_TRUE(m.ok()) << m.error().message();
    manifests.push_back(*m);
  }
  auto index = w->add_index(manifests);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->media_type, kMediaTypeIndex);
  ASSERT_TRUE(w->add_to_index(*index, "latest").ok());
  ASSERT_TRUE(w->commit().ok());
  json top = json::parse(read("index.json"));
  ASSERT_EQ(top["manifests"].size(), 1u);
  EXPECT_EQ(top["manifests"][0]["mediaType"], kMediaTypeIndex);
  json nested = json::parse(read("blobs/sha256/" + index->digest.hex()));
  ASSERT_EQ(nested["manifests"].size(), 2u);
  EXPECT_EQ(nested["manifests"][0]["platform"]["architecture"], "amd64");
  EXPECT_EQ(nested["manifests"][1]["platform"]["variant"], "v8");
  // Layers are identical across the two platforms here: stored once.
  EXPECT_EQ(oci::test_util::list_dir(out_ + "/blobs/sha256").size(), 2u + 2u + 2u + 1u);
}

TEST(RefName, FollowsTheLayoutGrammar) {
  for (const char* ok :
       {"latest", "1.0", "v1.2.3-rc.1", "example.invalid/app:1.0", "a--b", "a+b@c"})
    EXPECT_TRUE(validate_ref_name(ok).ok()) << ok;
  for (const char* bad : {"", "-x", "x-", "a..b", "a/", "/a", "a b", "a//b", "a---b", "t\xc3\xa9"})
    EXPECT_FALSE(validate_ref_name(bad).ok()) << bad;
}

}  // namespace
