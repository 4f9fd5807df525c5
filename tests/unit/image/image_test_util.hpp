#pragma once

// Builds test images whose layers are written with libarchive directly, so
// they can hold what distill's own layer writer refuses by design: whiteouts
// (".wh.<name>", ".wh..wh..opq"), device nodes, odd member names.

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/file_util.hpp"
#include "core/temp_dir.hpp"
#include "oci/archive_util.hpp"
#include "oci/compressor.hpp"
#include "oci/docker_archive.hpp"
#include "oci/image.hpp"
#include "oci/layout_writer.hpp"
#include "unit/test_util/temp_folder.hpp"

namespace distill::image::test_util {

struct Member {
  enum Kind { kFile, kDir, kSymlink, kHardlink, kCharDevice, kFifo };
  std::string path;  // written verbatim as the tar name
  Kind kind = kFile;
  std::string data;    // kFile
  std::string target;  // kSymlink, kHardlink
  unsigned mode = 0644;
  int64_t uid = 0;  // gid too; out of range on purpose in some tests
};

inline Member file(std::string path, std::string data, unsigned mode = 0644) {
  return {std::move(path), Member::kFile, std::move(data), {}, mode};
}
inline Member dir(std::string path, unsigned mode = 0755) {
  return {std::move(path), Member::kDir, {}, {}, mode};
}
inline Member sym(std::string path, std::string target) {
  return {std::move(path), Member::kSymlink, {}, std::move(target), 0777};
}
inline Member hard(std::string path, std::string target) {
  return {std::move(path), Member::kHardlink, {}, std::move(target), 0644};
}
// An empty regular file: what a whiteout is on disk.
inline Member whiteout(std::string path) {
  return file(std::move(path), "", 0);
}

inline la_ssize_t append_cb(archive*, void* ctx, const void* buf, size_t n) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

// An uncompressed PAX tar of `members`, in the order given.
inline std::string make_tar(const std::vector<Member>& members) {
  std::string out;
  oci::ScopedUtf8Locale utf8;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_in_last_block(a, 1);
  EXPECT_EQ(archive_write_open(a, &out, nullptr, append_cb, nullptr), ARCHIVE_OK);
  for (const auto& m : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.path.c_str());
    archive_entry_set_perm(e, m.mode);
    archive_entry_set_mtime(e, 0, 0);
    archive_entry_set_uid(e, m.uid);
    archive_entry_set_gid(e, m.uid);
    switch (m.kind) {
      case Member::kFile:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, static_cast<la_int64_t>(m.data.size()));
        break;
      case Member::kDir:
        archive_entry_set_filetype(e, AE_IFDIR);
        break;
      case Member::kSymlink:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, m.target.c_str());
        break;
      case Member::kHardlink:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, m.target.c_str());
        archive_entry_set_size(e, 0);
        break;
      case Member::kFifo:
        archive_entry_set_filetype(e, AE_IFIFO);
        break;
      case Member::kCharDevice:
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_rdevmajor(e, 1);
        archive_entry_set_rdevminor(e, 3);
        break;
    }
    EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    if (m.kind == Member::kFile && !m.data.empty()) {
      EXPECT_EQ(archive_write_data(a, m.data.data(), m.data.size()),
                static_cast<la_ssize_t>(m.data.size()));
    }
    archive_entry_free(e);
  }
  EXPECT_EQ(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
  return out;
}

inline std::string compress(const std::string& data, oci::Compression c) {
  if (c == oci::Compression::kNone) return data;
  std::string out;
  auto z = oci::Compressor::create(c, 0, [&out](std::string_view chunk) {
    out.append(chunk);
    return core::Status::Ok();
  });
  EXPECT_TRUE(z.ok());
  EXPECT_TRUE((*z)->write(data).ok());
  EXPECT_TRUE((*z)->finish().ok());
  return out;
}

// A layer blob file under `dir` holding `tar`, compressed with `c`.
inline oci::LayerBlob layer_blob(const std::string& dir, const std::string& name,
                                 const std::string& tar,
                                 oci::Compression c = oci::Compression::kGzip) {
  oci::LayerBlob b;
  std::string blob = compress(tar, c);
  b.diff_id = oci::Digest::of(tar);
  b.digest = oci::Digest::of(blob);
  b.size = static_cast<int64_t>(blob.size());
  b.uncompressed_size = static_cast<int64_t>(tar.size());
  b.media_type = std::string(oci::layer_media_type(c));
  b.path = dir + "/" + name;
  EXPECT_TRUE(core::write_file_atomic(b.path, blob).ok());
  return b;
}

// A one-platform image of the given layer tars.
inline oci::Image image_of(const std::string& dir, const std::vector<std::string>& tars,
                           const oci::Platform& platform = {"linux", "amd64", ""},
                           oci::Compression c = oci::Compression::kGzip) {
  oci::Image img;
  img.config.platform = platform;
  img.config.config.user = "65532";
  for (size_t i = 0; i < tars.size(); ++i) {
    img.layers.push_back(
        layer_blob(dir, "layer-" + platform.architecture + "-" + std::to_string(i), tars[i], c));
    img.config.history.push_back({"layer " + std::to_string(i), "", false});
  }
  return img;
}

// Writes `images` as an OCI layout at `out`: one manifest tagged `tag`, or
// an index over several. Returns the digest index.json names.
inline std::string write_layout(const std::string& out, const std::vector<oci::Image>& images,
                                const std::string& tag = "1.0") {
  auto w = oci::LayoutWriter::create(out);
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message());
  if (!w.ok()) return {};
  std::vector<oci::Descriptor> manifests;
  for (const auto& img : images) {
    auto m = w->add_image(img);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message());
    if (!m.ok()) return {};
    manifests.push_back(*m);
  }
  oci::Descriptor top = manifests.front();
  if (manifests.size() > 1) {
    auto index = w->add_index(manifests);
    EXPECT_TRUE(index.ok());
    top = *index;
  }
  EXPECT_TRUE(w->add_to_index(top, tag).ok());
  EXPECT_TRUE(w->commit().ok());
  return top.digest.str();
}

using distill::test_support::TempFolderTest;

}  // namespace distill::image::test_util
