#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "image/layer_stream.hpp"
#include "oci/digest.hpp"
#include "oci/image_reader.hpp"
#include "oci/manifest.hpp"

namespace distill::image {

// One path of the final filesystem.
struct FileEntry : LayerEntry {
  // A hard link takes its target's type, size and content (hardlink_to keeps
  // the other name).
  size_t layer = 0;                    // index of the layer that last wrote this path
  std::optional<std::string> content;  // regular files the options asked for, else empty
  std::string probe;                   // what RootfsOptions::probe said of it, else empty
};

struct RootfsOptions {
  // Which regular files to keep the bytes of (by normalised path, e.g.
  // "var/lib/dpkg/status"). Unset: none. Everything else is metadata only,
  // so a large image is never held in memory.
  std::function<bool(std::string_view path)> keep_content;
  // Reads a regular file whose content is not kept as it streams past (a
  // binary's build information, the manifests inside a jar) and says what
  // it found in a few bytes, kept in FileEntry::probe: facts about large
  // files without holding them. Unset: no file is probed. An error stops the
  // read (a failed layer stream); a file it cannot make sense of is "".
  std::function<core::Result<std::string>(const LayerEntry&, const ContentReader&)> probe;
  int64_t max_file_content = 16 << 20;    // a bigger file's content is not kept
  int64_t max_total_content = 256 << 20;  // over all kept files; beyond it nothing more is kept
  size_t max_entries = 4'000'000;         // paths in the final filesystem (a hostile image bound)
};

// What reading one layer found.
struct LayerInfo {
  oci::Descriptor descriptor;     // as the manifest lists it (compressed digest and size)
  oci::Digest diff_id;            // computed from the uncompressed tar, checked against the config
  int64_t uncompressed_size = 0;  // bytes of the uncompressed tar
  size_t members = 0;             // tar members, whiteouts included
  size_t whiteouts = 0;           // ".wh.<name>" and ".wh..wh..opq" markers
};

// The filesystem an image unpacks to: its layers applied in order, as a
// container runtime would, in memory as a path -> entry map.
//
// Whiteouts (OCI image spec, layer.md): "<dir>/.wh.<name>" removes <name>
// (and everything below it) from the lower layers; "<dir>/.wh..wh..opq"
// removes everything below <dir> from the lower layers. Both apply to lower
// layers only, so entries of the same layer survive whatever the tar order.
// Other ".wh..wh.*" names (aufs bookkeeping) are ignored. A non-directory
// replacing a directory hides the directory's subtree.
// Parent folders a layer leaves implicit are not invented; resolve() treats a
// path that has entries below it as a folder.
class RootfsView {
 public:
  using EntryMap = std::map<std::string, FileEntry, std::less<>>;

  explicit RootfsView(RootfsOptions options = {}) : options_(std::move(options)) {}

  // Reads every layer of `image`: each blob is verified (size, digest) and
  // its uncompressed digest must equal the config's diff_id. A layer is
  // applied only once it verified, and any failure returns an error, never a
  // partial view.
  static core::Result<RootfsView> read(oci::ImageReader& reader, const oci::PlatformImage& image,
                                       RootfsOptions options = {});

  // Applies one layer's members (as read_layer reports them, whiteouts
  // included, content filled in for kept files) on top of the current state.
  core::Status apply_layer(std::vector<FileEntry> members);

  // The entry at exactly `path` (normalised, no leading '/'); symlinks are
  // not followed. nullptr when absent.
  const FileEntry* find(std::string_view path) const;

  // Follows symlinks in every component, as the kernel would with the image
  // as the root: absolute targets restart at the root and ".." stops there.
  // Errors: a missing component, a non-folder in the middle, more than 40
  // links, or the root itself.
  core::Result<const FileEntry*> resolve(std::string_view path) const;

  // The kept content of the regular file `path` leads to (symlinks followed).
  // An error when it is missing, not a regular file or its content was not kept.
  core::Result<std::string_view> read_file(std::string_view path) const;

  // The entries directly inside folder `dir` ("" for the root), sorted by path.
  std::vector<const FileEntry*> list(std::string_view dir) const;

  const EntryMap& entries() const { return entries_; }
  const std::vector<LayerInfo>& layers() const { return layers_; }

 private:
  void erase_below(std::string_view dir);
  bool has_entries_below(std::string_view dir) const;
  // The member's content when the options ask for it and the budget allows.
  core::Status maybe_keep(FileEntry& e, const ContentReader& content);

  RootfsOptions options_;
  EntryMap entries_;
  std::vector<LayerInfo> layers_;
  size_t applied_layers_ = 0;
  int64_t kept_bytes_ = 0;
};

}  // namespace distill::image
