#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "oci/blob_fetch.hpp"
#include "oci/digest.hpp"
#include "oci/image.hpp"
#include "oci/image_reader.hpp"
#include "oci/manifest.hpp"

namespace distill::oci {

// kMoveVerified: the caller streamed the file through ImageReader::stream_blob,
// which checked it against `expected`; the writer checks the size and renames
// it without hashing the bytes a second time.
enum class BlobTransfer { kCopy, kMove, kMoveVerified };

// Writes an OCI image layout (oci-layout, index.json, blobs/sha256/<hex>)
// atomically: everything is staged in "<target>.distill-tmp.XXXXXX" beside the
// target and renamed into place by commit(). Until then an existing target is
// untouched; a writer destroyed without commit() removes its staging folder,
// so a failed build leaves neither a partial image nor a temporary.
//
// Typical use, one platform:
//   auto w = LayoutWriter::create("out");
//   auto layer = write_layer(entries, {}, w->scratch_path());
//   auto manifest = w->add_image({config, {*layer}, {}}, BlobTransfer::kMove);
//   w->add_to_index(*manifest, "latest");
//   w->commit();
// Several platforms: add_image for each, add_index over the manifests, then
// add_to_index(index descriptor, tag).
class LayoutWriter {
 public:
  // The target's parent must exist. An existing target is replaced on commit()
  // only if it is an empty folder or an OCI layout (has an oci-layout file).
  static core::Result<LayoutWriter> create(std::string target);
  LayoutWriter(LayoutWriter&& other) noexcept;
  LayoutWriter& operator=(LayoutWriter&&) = delete;
  LayoutWriter(const LayoutWriter&) = delete;
  ~LayoutWriter();

  const std::string& target() const { return target_; }
  const std::string& staging_dir() const { return staging_; }
  // A fresh file name inside the staging folder (same filesystem as the blobs,
  // so a layer written there moves into place with a rename).
  std::string scratch_path();

  core::Result<Descriptor> add_blob(std::string_view media_type, std::string_view content);
  // Hashes the file into blobs/. With `expected`, the content must have that
  // digest and size. kMove renames when it can and removes the source either way.
  core::Result<Descriptor> add_blob_file(std::string_view media_type, const std::string& path,
                                         BlobTransfer how, const Descriptor* expected = nullptr);

  // Puts a verified file (ImageReader::verified_blob_file) into blobs/ as a
  // hard link, or a reflink where the filesystem offers one: no copy, no
  // second hash. false: neither works here (another filesystem), or the
  // file's size is not `d`'s; the caller copies instead.
  core::Result<bool> link_blob(const std::string& path, const Descriptor& d);

  // Layers, config and manifest of one platform; returns the manifest's
  // descriptor, platform set.
  core::Result<Descriptor> add_image(const Image& image, BlobTransfer how = BlobTransfer::kCopy);
  // An image index blob over platform manifests (for a multi-platform tag).
  core::Result<Descriptor> add_index(const std::vector<Descriptor>& manifests,
                                     const Annotations& annotations = {});
  // Lists `d` in index.json, named by org.opencontainers.image.ref.name when
  // `ref_name` is given (the "<tag>" of skopeo's oci:<dir>:<tag>).
  core::Status add_to_index(const Descriptor& d, std::string_view ref_name = {});

  // Writes oci-layout and index.json, syncs, and renames the layout into place.
  core::Status commit();

 private:
  LayoutWriter(std::string target, std::string staging, core::UniqueFd lock);
  std::string blob_path(const Digest& d) const;
  core::Result<Descriptor> copy_blob(std::string_view media_type, const std::string& path,
                                     const Descriptor* expected);
  core::Status install_blob(const std::string& file, const Digest& d);
  core::Result<bool> clone_blob(const std::string& path, const Descriptor& d);

  std::string target_;
  std::string staging_;
  core::UniqueFd staging_lock_;  // flock'd while we live: see core::create_temp_sibling
  bool done_ = false;
  int scratch_counter_ = 0;
  std::set<Digest> blobs_;
  std::vector<Descriptor> index_;
};

// The layout sink: writes `top` and everything under it, from any source, as
// an OCI layout at `out` (replaced atomically; nothing there on failure),
// listed in index.json once per name in `ref_names` (once, unnamed, when
// there is none).
core::Status write_layout(ImageReader& src, const Descriptor& top, const std::string& out,
                          const std::vector<std::string>& ref_names,
                          const SinkOptions& options = {});

// Checks an org.opencontainers.image.ref.name value against the grammar of
// the image layout spec: components of [A-Za-z0-9] joined by - . _ : @ + or --,
// separated by '/'.
core::Status validate_ref_name(std::string_view ref);

}  // namespace distill::oci
