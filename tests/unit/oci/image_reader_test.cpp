#include "oci/image_reader.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file_util.hpp"
#include "core/temp_dir.hpp"
#include "oci/docker_archive.hpp"
#include "oci/docker_archive_reader.hpp"
#include "oci/layout_reader.hpp"
#include "oci/layout_writer.hpp"
#include "oci/media_types.hpp"
#include "unit/oci/oci_test_util.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using namespace distill::oci;

namespace {

// A folder as a layout, a file as a docker-archive (transport/ does this for
// the commands; oci/ has no reference parsing of its own).
core::Result<std::unique_ptr<ImageReader>> open_reader(const std::string& path,
                                                       const ReaderLimits& limits = {}) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return core::make_error(path, "missing");
  if (S_ISDIR(st.st_mode)) {
    DISTILL_ASSIGN(auto r, LayoutReader::open(path, limits));
    return std::unique_ptr<ImageReader>(std::move(r));
  }
  DISTILL_ASSIGN(auto r, DockerArchiveReader::open(path, limits));
  return std::unique_ptr<ImageReader>(std::move(r));
}

class ImageReaderTest : public distill::test_support::TempFolderTest {
 protected:
  // A layout with `platforms` images: one tagged manifest, or a tagged index.
  void write_layout(const std::string& out, const std::vector<Platform>& platforms) {
    auto w = LayoutWriter::create(out);
    ASSERT_TRUE(w.ok());
    std::vector<Descriptor> manifests;
    for (const auto& p : platforms) {
      auto m = w->add_image(oci::test_util::two_layer_image(dir_->path(), p));
      ASSERT_TRUE(m.ok()) << m.error().message();
      manifests.push_back(*m);
    }
    if (manifests.size() == 1) {
      ASSERT_TRUE(w->add_to_index(manifests[0], "1.0").ok());
    } else {
      auto index = w->add_index(manifests);
      ASSERT_TRUE(index.ok());
      ASSERT_TRUE(w->add_to_index(*index, "1.0").ok());
    }
    ASSERT_TRUE(w->commit().ok());
  }
};

TEST_F(ImageReaderTest, ReadsALayout) {
  write_layout(path("oci"), {oci::test_util::amd64()});
  auto r = open_reader(path("oci"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  auto images = (*r)->images();
  ASSERT_TRUE(images.ok()) << images.error().message();
  ASSERT_EQ(images->size(), 1u);
  const PlatformImage& img = (*images)[0];
  EXPECT_EQ(img.ref_names, std::vector<std::string>{"1.0"});
  EXPECT_EQ(img.config.platform, oci::test_util::amd64());
  EXPECT_EQ(img.config.config.entrypoint, std::vector<std::string>{"/usr/bin/app"});
  ASSERT_EQ(img.manifest.layers.size(), 2u);
  EXPECT_EQ(img.manifest.layers[0].media_type, kMediaTypeLayerGzip);
  // Layer content streams out verified.
  std::string layer;
  auto st = (*r)->stream_blob(img.manifest.layers[1], [&](std::string_view c) {
    layer.append(c);
    return core::Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(Digest::of(layer), img.manifest.layers[1].digest);
}

TEST_F(ImageReaderTest, ResolvesAMultiPlatformIndex) {
  write_layout(path("oci"), {oci::test_util::amd64(), oci::test_util::arm64()});
  auto r = open_reader(path("oci"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)->index().manifests.size(), 1u);
  EXPECT_EQ((*r)->index().manifests[0].media_type, kMediaTypeIndex);
  auto images = (*r)->images();
  ASSERT_TRUE(images.ok()) << images.error().message();
  ASSERT_EQ(images->size(), 2u);
  EXPECT_EQ((*images)[0].config.platform.str(), "linux/amd64");
  EXPECT_EQ((*images)[1].config.platform.str(), "linux/arm64/v8");
  EXPECT_EQ((*images)[1].manifest_descriptor.platform->variant, "v8");
  EXPECT_EQ((*images)[1].ref_names, std::vector<std::string>{"1.0"});
}

TEST_F(ImageReaderTest, TamperedBlobIsAnError) {
  write_layout(path("oci"), {oci::test_util::amd64()});
  auto r = open_reader(path("oci"));
  ASSERT_TRUE(r.ok());
  auto images = (*r)->images();
  ASSERT_TRUE(images.ok());
  // Flip one byte of the first layer, same size.
  Descriptor layer = (*images)[0].manifest.layers[0];
  std::string file = path("oci/blobs/sha256/" + layer.digest.hex());
  std::string bytes = *core::read_file(file);
  bytes[bytes.size() / 2] ^= 0x20;
  ASSERT_TRUE(core::write_file_atomic(file, bytes).ok());
  auto read = (*r)->read_blob(layer, 1 << 20);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().what, "blob " + layer.digest.str() + " does not match its digest");

  // A tampered config is caught when the images are listed.
  Descriptor config = (*images)[0].manifest.config;
  ASSERT_TRUE(core::write_file_atomic(path("oci/blobs/sha256/" + config.digest.hex()),
                                      std::string(static_cast<size_t>(config.size), ' '))
                  .ok());
  auto again = (*r)->images();
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().what.find("does not match its digest"), std::string::npos);
}

TEST_F(ImageReaderTest, BlobOfTheWrongSizeIsAnError) {
  write_layout(path("oci"), {oci::test_util::amd64()});
  auto r = open_reader(path("oci"));
  ASSERT_TRUE(r.ok());
  Descriptor layer = (*(*r)->images())[0].manifest.layers[0];
  std::string file = path("oci/blobs/sha256/" + layer.digest.hex());
  ASSERT_TRUE(
      core::write_file_atomic(file, *core::read_file(file) + std::string(1 << 20, 'x')).ok());
  size_t streamed = 0;
  auto st = (*r)->stream_blob(layer, [&](std::string_view c) {
    streamed += c.size();
    return core::Status::Ok();
  });
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().what.find("larger than its descriptor"), std::string::npos);
  EXPECT_LE(streamed, static_cast<size_t>(layer.size));  // stopped early
}

TEST_F(ImageReaderTest, SymlinkedBlobIsRefused) {
  write_layout(path("oci"), {oci::test_util::amd64()});
  auto r = open_reader(path("oci"));
  ASSERT_TRUE(r.ok());
  Descriptor layer = (*(*r)->images())[0].manifest.layers[0];
  std::string file = path("oci/blobs/sha256/" + layer.digest.hex());
  ASSERT_TRUE(core::write_file_atomic(path("outside"), *core::read_file(file)).ok());
  ASSERT_EQ(::unlink(file.c_str()), 0);
  ASSERT_EQ(::symlink(path("outside").c_str(), file.c_str()), 0);
  auto read = (*r)->read_blob(layer, 1 << 20);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().what, "is a symlink");
}

TEST_F(ImageReaderTest, BoundsMetadataSizes) {
  write_layout(path("oci"), {oci::test_util::amd64()});
  ReaderLimits tight;
  tight.max_metadata_size = 100;  // smaller than index.json
  auto r = open_reader(path("oci"), tight);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("larger than"), std::string::npos);

  // A descriptor that claims a huge config is refused before any read.
  auto ok = open_reader(path("oci"));
  ASSERT_TRUE(ok.ok());
  Descriptor huge = (*(*ok)->images())[0].manifest.config;
  huge.size = int64_t{1} << 40;
  EXPECT_FALSE((*ok)->read_blob(huge, 8 << 20).ok());
}

TEST_F(ImageReaderTest, RefusesWhatIsNotALayout) {
  ASSERT_TRUE(core::make_dirs(path("empty")).ok());
  EXPECT_FALSE(open_reader(path("empty")).ok());
  ASSERT_TRUE(core::make_dirs(path("v2")).ok());
  ASSERT_TRUE(
      core::write_file_atomic(path("v2/oci-layout"), R"({"imageLayoutVersion":"2.0.0"})").ok());
  ASSERT_TRUE(
      core::write_file_atomic(path("v2/index.json"), R"({"schemaVersion":2,"manifests":[]})").ok());
  EXPECT_FALSE(open_reader(path("v2")).ok());
  EXPECT_FALSE(open_reader(path("missing")).ok());
}

TEST_F(ImageReaderTest, ReadsADockerArchive) {
  Image img = oci::test_util::two_layer_image(dir_->path(), oci::test_util::arm64());
  ASSERT_TRUE(write_docker_archive(path("image.tar"), {img}, {"example.invalid/app:1.0"}).ok());
  auto r = open_reader(path("image.tar"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  auto images = (*r)->images();
  ASSERT_TRUE(images.ok()) << images.error().message();
  ASSERT_EQ(images->size(), 1u);
  const PlatformImage& p = (*images)[0];
  EXPECT_EQ(p.ref_names, std::vector<std::string>{"example.invalid/app:1.0"});
  EXPECT_EQ(p.config.platform, oci::test_util::arm64());
  ImageMetadata meta = *image_metadata(img);
  EXPECT_EQ(p.config_json, meta.config_json);
  EXPECT_EQ(p.manifest.config.digest, meta.config.digest);
  ASSERT_EQ(p.manifest.layers.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(p.manifest.layers[i].digest, img.layers[i].digest);
    EXPECT_EQ(p.manifest.layers[i].size, img.layers[i].size);
    EXPECT_EQ(p.manifest.layers[i].media_type, kMediaTypeLayerGzip);  // recognised by magic
    auto bytes = (*r)->read_blob(p.manifest.layers[i], 1 << 20);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message();
    EXPECT_EQ(*bytes, *core::read_file(img.layers[i].path));
  }
}

// Writes a tar by hand (through libarchive) with the given members.
void write_raw_tar(const std::string& file,
                   const std::vector<std::pair<std::string, std::string>>& members) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, file.c_str()), ARCHIVE_OK);
  for (const auto& [name, content] : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_copy_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
    ASSERT_EQ(archive_write_data(a, content.data(), content.size()),
              static_cast<la_ssize_t>(content.size()));
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

TEST_F(ImageReaderTest, HostileDockerArchivesAreRefused) {
  std::string config =
      R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  write_raw_tar(path("escape.tar"), {{"../../etc/passwd", "x"},
                                     {"manifest.json", R"([{"Config":"c.json","Layers":[]}])"}});
  auto escape = open_reader(path("escape.tar"));
  ASSERT_FALSE(escape.ok());
  EXPECT_NE(escape.error().what.find("'..'"), std::string::npos);

  write_raw_tar(path("ref.tar"),
                {{"c.json", config}, {"manifest.json", R"([{"Config":"../c.json","Layers":[]}])"}});
  EXPECT_FALSE(open_reader(path("ref.tar")).ok());

  write_raw_tar(path("missing.tar"),
                {{"c.json", config},
                 {"manifest.json", R"([{"Config":"c.json","Layers":["nope/layer.tar"]}])"}});
  auto missing = open_reader(path("missing.tar"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().what.find("nope/layer.tar"), std::string::npos);

  write_raw_tar(path("dup.tar"), {{"c.json", config},
                                  {"./c.json", config},
                                  {"manifest.json", R"([{"Config":"c.json","Layers":[]}])"}});
  EXPECT_FALSE(open_reader(path("dup.tar")).ok());

  write_raw_tar(path("nomanifest.tar"), {{"c.json", config}});
  EXPECT_FALSE(open_reader(path("nomanifest.tar")).ok());

  ReaderLimits few;
  few.max_archive_members = 2;
  write_raw_tar(path("many.tar"), {{"a", ""}, {"b", ""}, {"c", ""}});
  EXPECT_FALSE(open_reader(path("many.tar"), few).ok());

  // An oversized manifest.json is reported as that, not as missing.
  ReaderLimits small;
  small.max_metadata_size = 1000;
  write_raw_tar(path("big.tar"),
                {{"c.json", config}, {"manifest.json", "[" + std::string(2000, ' ') + "]"}});
  auto big = open_reader(path("big.tar"), small);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().where, path("big.tar") + ": manifest.json");
  EXPECT_NE(big.error().what.find("is larger than 1000 bytes"), std::string::npos)
      << big.error().message();

  ASSERT_TRUE(core::write_file_atomic(path("garbage.tar"), std::string(4096, 'g')).ok());
  EXPECT_FALSE(open_reader(path("garbage.tar")).ok());

  // Layers listed in manifest.json must match the config's diff_ids.
  write_raw_tar(path("mismatch.tar"),
                {{"c.json", config},
                 {"l.tar", std::string(1024, '\0')},
                 {"manifest.json", R"([{"Config":"c.json","Layers":["l.tar"]}])"}});
  auto mismatch = open_reader(path("mismatch.tar"));
  ASSERT_TRUE(mismatch.ok()) << mismatch.error().message();
  EXPECT_FALSE((*mismatch)->images().ok());
}

}  // namespace
