#include "runtime/root_cache.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "cache/cache.hpp"
#include "core/file_util.hpp"
#include "core/lines.hpp"
#include "core/sha256.hpp"
#include "core/strings.hpp"
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

// "\040" and the like, as the kernel escapes spaces, tabs, newlines and
// backslashes in mountinfo fields.
std::string unescape_mountinfo(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && field[i + 1] >= '0' && field[i + 1] <= '3' &&
        field[i + 2] >= '0' && field[i + 2] <= '7' && field[i + 3] >= '0' && field[i + 3] <= '7') {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                               (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

// The layer folders (hex names) directly in `dir`; temporaries left out.
std::vector<std::string> layer_names(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* ent = ::readdir(d)) {
    if (core::is_sha256_hex(ent->d_name)) names.emplace_back(ent->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::vector<std::string> overlay_lower_dirs(std::string_view mountinfo) {
  std::vector<std::string> dirs;
  for (std::string_view line : core::lines(mountinfo)) {
    // "<id> <parent> <dev> <root> <point> <options> [optional...] - <type> <source> <super
    // options>"
    auto fields = core::split_words(line);
    auto sep = std::find(fields.begin(), fields.end(), "-");
    if (sep == fields.end() || fields.end() - sep < 4 || *(sep + 1) != "overlay") continue;
    for (std::string_view opt : core::split(*(sep + 3), ',')) {
      if (!opt.starts_with("lowerdir=")) continue;
      opt.remove_prefix(std::string_view("lowerdir=").size());
      for (std::string_view dir : core::split(opt, ':'))
        if (!dir.empty()) dirs.push_back(unescape_mountinfo(dir));
    }
  }
  return dirs;
}

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

core::Result<core::UniqueFd> RootCache::lock(bool exclusive) const {
  DISTILL_TRY(prepare());
  const std::string path = root_ + "/lock";
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return root_cache_error(path, "cannot open");
  int r;
  do {
    r = ::flock(fd.get(), exclusive ? LOCK_EX : LOCK_SH);
  } while (r != 0 && errno == EINTR);
  if (r != 0) return root_cache_error(path, "cannot lock");
  return fd;
}

core::Result<RootCache::Pruned> RootCache::prune(std::string_view mountinfo) const {
  DISTILL_ASSIGN(core::UniqueFd held, lock(true));
  std::set<std::string> in_use;
  for (auto& dir : overlay_lower_dirs(mountinfo)) in_use.insert(std::move(dir));
  Pruned pruned;
  const std::string layers = root_ + "/sha256";
  for (const std::string& hex : layer_names(layers)) {
    const std::string dir = layers + "/" + hex;
    if (in_use.count(dir + "/tree")) {
      ++pruned.kept;
      continue;
    }
    DISTILL_TRY(core::remove_tree(dir));
    ++pruned.removed;
  }
  return pruned;
}

core::Result<RootCache::Pruned> prune_root_cache(const std::string& root) {
  if (!core::path_exists(root)) return RootCache::Pruned{};
  DISTILL_ASSIGN(std::string mountinfo, core::read_file("/proc/self/mountinfo"));
  return RootCache(root).prune(mountinfo);
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
