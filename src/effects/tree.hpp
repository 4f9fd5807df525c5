#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/fs_entry.hpp"

namespace distill::effects {

// An image's root filesystem held as layer entries, keyed by normalised path
// ("usr/bin/env": no leading slash). The effects read and change it the way
// maintainer scripts change a Debian root; builder::Rootfs adds the package
// policies on top. Small on purpose, so tests build one by hand.
class Tree {
 public:
  const oci::FsEntry* find(const std::string& path) const;
  bool contains(const std::string& path) const { return entries_.count(path) != 0; }
  // Adds or replaces one entry.
  void put(oci::FsEntry entry);
  void remove(const std::string& path);
  // From now on, remember every path put or removed whose entry changed:
  // its type, metadata or bytes (wherever they are kept). A folder put over
  // a folder does not count: folders carry no content.
  // What the packages left as they shipped it may go into shared layers.
  void track_changes() { tracking_ = true; }
  const std::set<std::string>& changed() const { return changed_; }
  // Names directly below `dir` ("" is the root), sorted.
  std::vector<std::string> children(std::string_view dir) const;
  // Every entry strictly below `dir`, in path order.
  void for_each_under(std::string_view dir,
                      const std::function<void(const oci::FsEntry&)>& fn) const;
  // `path` with every symlink on the way followed inside the tree (an absolute
  // target starts again at the tree's root, ".." stops at it), as ld.so or a
  // chroot would see it. nullopt when the path is missing, loops, or passes
  // through a non-directory. The last component is followed too.
  std::optional<std::string> resolve(std::string_view path) const;
  // Where an entry named by `path` lands: its folder resolved as above (on a
  // merged-/usr image, /bin/x lands at usr/bin/x), its last name kept and not
  // followed. nullopt when the folder is missing or the name is "..".
  std::optional<std::string> place(std::string_view path) const;
  // The entry `path` leads to after resolve(), or nullptr.
  const oci::FsEntry* find_resolved(std::string_view path) const;

  // Every entry, sorted by path.
  std::vector<oci::FsEntry> entries() const;
  // Every path, sorted.
  std::vector<std::string> paths() const;
  // The same, moved out: the tree is empty afterwards (no second copy of a
  // large tree's metadata while its layer is written).
  std::vector<oci::FsEntry> take_entries();
  size_t size() const { return entries_.size(); }

 protected:
  std::map<std::string, oci::FsEntry> entries_;

 private:
  bool tracking_ = false;
  std::set<std::string> changed_;
};

// The bytes of a regular entry, wherever they are (oci::read_content: in
// memory, a host file or a content pack). Refused above `max_bytes`, so no
// caller reads a large file whole by accident.
core::Result<std::string> read_entry(const oci::FsEntry& entry, uint64_t max_bytes);

// "/usr/bin/x" or "usr/bin/x" -> "usr/bin/x"; "." and empty components dropped.
// Leaves ".." to resolve().
std::string tree_path(std::string_view path);

}  // namespace distill::effects
