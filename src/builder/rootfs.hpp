#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "effects/tree.hpp"
#include "oci/fs_entry.hpp"

namespace distill::builder {

// The image's root filesystem being assembled in memory, keyed by normalised
// path. Applies the distroless rules as packages are added: merged /usr,
// trimmed documentation, no setuid/setgid bits.
class Rootfs : public effects::Tree {
 public:
  struct Options {
    bool keep_docs = false;
  };
  explicit Rootfs(Options options) : options_(options) {}

  // Adds one package's files. Paths under /bin, /sbin, /lib* move under /usr.
  // A path that another package already added with different content is a
  // conflict: the first one stays and the conflict is recorded.
  void add_package(std::string_view package, std::vector<oci::FsEntry> entries);

  // Adds the bin, sbin, lib, lib64... -> usr/* symlinks of a merged-/usr
  // system (lib64 and friends only when something lives under them).
  void add_merged_usr_links();

  uint64_t content_bytes() const;

  const std::vector<std::string>& conflicts() const { return conflicts_; }
  // The paths each package brought, as the image names them (trimmed ones
  // left out, folders and files another package brought identically kept).
  const std::map<std::string, std::vector<std::string>>& package_paths() const {
    return package_paths_;
  }
  // Packages one of whose files lost a conflict: the image differs from them.
  const std::set<std::string>& conflicted_packages() const { return conflicted_; }
  // Moves one entry out of the tree (for writing it into a layer).
  std::optional<oci::FsEntry> take(const std::string& path);
  const std::vector<std::string>& stripped_special_bits() const { return stripped_; }

  // "bin/ls" -> "usr/bin/ls"; other paths unchanged.
  static std::string merged_usr_path(std::string_view path);
  // True for documentation a distroless image drops (copyright files stay).
  static bool is_trimmed_doc(std::string_view path);

 private:
  Options options_;
  std::map<std::string, std::string> owner_;  // path -> package
  std::vector<std::string> conflicts_;
  std::vector<std::string> stripped_;
  std::map<std::string, std::vector<std::string>> package_paths_;
  std::set<std::string> conflicted_;
};

}  // namespace distill::builder
