#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "image/layer_stream.hpp"

namespace distill::runtime {

// Writes layer entries into a folder on disk, as a container runtime
// unpacks an image, but without trusting the image: every name is opened
// beneath the root with O_NOFOLLOW (a symlinked parent is an error, never
// followed), device nodes and sockets are not created, and ownership, modes
// (setuid and setgid included), mtimes and "security.capability" are
// applied as the tar says. Needs root for the ownership.
class RootfsWriter {
 public:
  // How whiteout members are applied.
  enum class Whiteouts {
    kApply,    // to what lower layers wrote into the same root (a copied rootfs)
    kOverlay,  // recorded as overlayfs does (one layer's own folder, an overlay's lowerdir):
               // ".wh.<name>" becomes a character device 0/0 named <name>, unless this
               // layer has <name> itself; an opaque marker sets "trusted.overlay.opaque=y"
  };
  explicit RootfsWriter(core::UniqueFd root, Whiteouts whiteouts = Whiteouts::kApply)
      : root_(std::move(root)), whiteouts_(whiteouts) {}

  // "<dir>/.wh.<name>": removes <name> and everything below it.
  core::Status whiteout(std::string_view dir, std::string_view name);
  // "<dir>/.wh..wh..opq": empties <dir>.
  core::Status opaque(std::string_view dir);
  // Applies a whiteout member (by its name) or writes a regular entry.
  // Returns an error for a name that leads through a symlink.
  core::Status apply(const image::LayerEntry& entry, const image::ContentReader& content);

  // Device nodes and sockets left out so far.
  size_t skipped() const { return skipped_; }

 private:
  core::Status write(const image::LayerEntry& entry, const image::ContentReader& content);
  core::Status write_file(int dir, const std::string& name, const image::LayerEntry& entry,
                          const image::ContentReader& content);
  core::Status write_dir(int dir, const std::string& name, const image::LayerEntry& entry);
  core::Status write_hardlink(int dir, const std::string& name, const image::LayerEntry& entry);

  core::Status overlay_whiteout(std::string_view dir, std::string_view name);
  core::Status overlay_opaque(std::string_view dir);

  core::UniqueFd root_;
  Whiteouts whiteouts_;
  size_t skipped_ = 0;
};

// True for ".wh.<name>" and ".wh..wh..opq" member names (the last component).
bool is_whiteout_name(std::string_view path);

}  // namespace distill::runtime
