#include "registry/blob_stream.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/file_util.hpp"
#include "core/units.hpp"
#include "oci/layout_reader.hpp"
#include "oci/layout_writer.hpp"
#include "unit/oci/oci_test_util.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using ::testing::HasSubstr;

namespace {

class BlobStreamTest : public test_support::TempFolderTest {
 protected:
  void SetUp() override {
    TempFolderTest::SetUp();
    auto w = oci::LayoutWriter::create(path("layout"));
    ASSERT_TRUE(w.ok()) << w.error().message();
    auto top = w->add_image(oci::test_util::two_layer_image(dir_->path(), oci::test_util::amd64()));
    ASSERT_TRUE(top.ok());
    ASSERT_TRUE(w->add_to_index(*top, "v1").ok());
    ASSERT_TRUE(w->commit().ok());
    open_layout();
  }

  void open_layout() {
    auto reader = oci::LayoutReader::open(path("layout"), {});
    ASSERT_TRUE(reader.ok()) << reader.error().message();
    layout_ = std::move(*reader);
    auto images = layout_->images();
    ASSERT_TRUE(images.ok());
    layer_ = images->at(0).manifest.layers.at(0);
    ASSERT_GT(layer_.size, 64);
  }

  // Same size, other bytes: only the digest check can tell.
  void corrupt_layer() {
    std::string file = path("layout") + "/blobs/sha256/" + layer_.digest.hex();
    std::string bytes(static_cast<size_t>(layer_.size), 'x');
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  }

  std::unique_ptr<oci::LayoutReader> layout_;
  oci::Descriptor layer_;
};

TEST_F(BlobStreamTest, DeliversTheBlobThroughASmallBuffer) {
  auto want = layout_->read_blob(layer_, 1 << 30);
  ASSERT_TRUE(want.ok());
  registry::BlobStream stream(*layout_, layer_, nullptr, 16);
  EXPECT_EQ(stream.size(), layer_.size);
  auto got = net::read_all(stream);
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(*got, *want);
  char c;
  auto end = stream.read(&c, 1);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, 0u);
}

TEST_F(BlobStreamTest, RewindMidWayStartsAgainAndCorrectsTheProgress) {
  std::string drawn;
  core::Progress progress("Pushing", 1, static_cast<uint64_t>(layer_.size),
                          [&](std::string_view s) {
                            if (s != "\n") drawn = std::string(s);
                          });
  registry::BlobStream stream(*layout_, layer_, &progress, 16);
  auto head = net::read_some(stream, 40);
  ASSERT_TRUE(head.ok());
  ASSERT_EQ(head->size(), 40u);
  ASSERT_TRUE(stream.rewind().ok());
  auto all = net::read_some(stream, static_cast<size_t>(layer_.size));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->substr(0, 40), *head);
  progress.item_done();
  progress.finish();
  // Counted once despite the restart.
  EXPECT_THAT(drawn, HasSubstr(core::human_size(static_cast<uint64_t>(layer_.size)) + " / "));
}

TEST_F(BlobStreamTest, ACorruptBlobFailsBeforeItsLastByte) {
  corrupt_layer();
  registry::BlobStream stream(*layout_, layer_, nullptr, 16);
  std::string got;
  core::Error error;
  for (;;) {
    char buf[10];
    auto n = stream.read(buf, sizeof buf);
    if (!n.ok()) {
      error = n.error();
      break;
    }
    ASSERT_NE(*n, 0u) << "the stream ended without noticing the corruption";
    got.append(buf, *n);
  }
  EXPECT_THAT(error.what, HasSubstr("does not match its digest"));
  EXPECT_LT(static_cast<int64_t>(got.size()), layer_.size);
  EXPECT_TRUE(stream.broken());
}

TEST_F(BlobStreamTest, DestroyingAnUnfinishedStreamStopsItsReader) {
  for (int i = 0; i < 20; ++i) {
    registry::BlobStream stream(*layout_, layer_, nullptr, 1);
    char c;
    ASSERT_TRUE(stream.read(&c, 1).ok());
  }
}

}  // namespace
