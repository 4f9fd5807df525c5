#include "runtime/root_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cache/cache.hpp"
#include "core/file_util.hpp"
#include "core/temp_dir.hpp"
#include "image/layer_stream.hpp"
#include "runtime/rootfs_writer.hpp"
#include "runtime/tree_digest.hpp"

namespace distill::runtime {
namespace {

constexpr std::string_view kSealMagic = "distill-unpacked-v1";

core::Error root_cache_error(const std::string& where, const std::string& what) {
  return core::make_error(where, what + ": " + std::strerror(errno));
}

std::string seal_text(const oci::Digest& diff_id, const std::string& tree) {
  return std::string(kSealMagic) + " " + diff_id.str() + " " + tree + "\n";
}

// Removes a temporary folder unless it was renamed into place.
struct TempTree {
  std::string path;
  bool published = false;
  ~TempTree() {
    if (!published && !path.empty()) (void)core::remove_tree(path);
  }
};

}  // namespace

std::string RootCache::default_root() {
  return cache::Cache::default_root() + "/unpacked";
}

std::string RootCache::layer_dir(const oci::Digest& diff_id) const {
  return root_ + "/sha256/" + diff_id.hex();
}

// The root and its sha256/ folder are ours and 0700, whatever they were:
// the layers hold the images' setuid files with their owners.
core::Status RootCache::prepare() const {
  for (const std::string& dir : {root_, root_ + "/sha256"}) {
    DISTILL_TRY(core::make_dirs(dir, 0700));
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return root_cache_error(dir, "cannot read");
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid())
      return core::make_error(dir, "is not a folder of ours", "remove it; distill makes it again");
    if ((st.st_mode & 07777) != 0700 && ::chmod(dir.c_str(), 0700) != 0)
      return root_cache_error(dir, "cannot make it private");
  }
  return core::Status::Ok();
}

core::Status RootCache::check(const oci::Digest& diff_id) const {
  const std::string dir = layer_dir(diff_id);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return core::make_error(dir, "not cached").with_code(core::ErrorCode::kNotFound);
  auto seal = core::read_file(dir + "/seal");
  if (!seal.ok()) return core::make_error(dir, "its seal is missing");
  auto tree = tree_digest(dir + "/tree");
  if (!tree.ok()) return tree.error();
  if (*seal != seal_text(diff_id, *tree))
    return core::make_error(dir, "changed on disk since it was unpacked");
  return core::Status::Ok();
}

core::Result<std::string> RootCache::layer(oci::ImageReader& reader, const oci::Descriptor& layer,
                                           const oci::Digest& diff_id, const Warn& warn) const {
  DISTILL_TRY(prepare());
  const std::string dir = layer_dir(diff_id);
  auto checked = check(diff_id);
  if (checked.ok()) return dir + "/tree";
  if (checked.error().code != core::ErrorCode::kNotFound) {
    warn("cached layer " + diff_id.str() + ": " + checked.error().what + "; unpacking it again");
    DISTILL_TRY(core::remove_tree(dir));
  }
  return unpack(reader, layer, diff_id);
}

core::Result<std::string> RootCache::unpack(oci::ImageReader& reader, const oci::Descriptor& layer,
                                            const oci::Digest& diff_id) const {
  const std::string dir = layer_dir(diff_id);
  const std::string where = "layer " + layer.digest.str();
  DISTILL_ASSIGN(core::TempSibling tmp, core::create_temp_sibling(dir, core::TempKind::kFolder));
  TempTree guard{tmp.path};
  const std::string tree = tmp.path + "/tree";
  if (::mkdir(tree.c_str(), 0755) != 0 || ::chmod(tree.c_str(), 0755) != 0)
    return root_cache_error(tree, "cannot create");
  core::UniqueFd root(::open(tree.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root) return root_cache_error(tree, "cannot open");
  // One pass: in a layer of its own a whiteout hides nothing of this layer.
  RootfsWriter writer(std::move(root), RootfsWriter::Whiteouts::kOverlay);
  auto visit = [&](const image::LayerEntry& e, const image::ContentReader& content) {
    return writer.apply(e, content);
  };
  auto digests = image::read_layer(reader, layer, visit);
  if (!digests.ok()) return digests.error().with_where(where);
  if (digests->diff_id != diff_id)
    return core::make_error(where, "uncompressed digest " + digests->diff_id.str() +
                                       " differs from the config's diff_id " + diff_id.str())
        .with_code(core::ErrorCode::kIntegrity);
  DISTILL_ASSIGN(std::string sealed, tree_digest(tree));
  DISTILL_TRY(core::write_file_atomic(tmp.path + "/seal", seal_text(diff_id, sealed), 0600));
  if (::rename(tmp.path.c_str(), dir.c_str()) != 0) {
    if (errno != EEXIST && errno != ENOTEMPTY) return root_cache_error(dir, "cannot publish");
    // Another distill unpacked it meanwhile: theirs is used if it holds.
    DISTILL_TRY(check(diff_id));
    return dir + "/tree";
  }
  guard.published = true;
  return dir + "/tree";
}

}  // namespace distill::runtime
