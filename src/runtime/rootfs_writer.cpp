#include "runtime/rootfs_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/fd_io.hpp"
#include "runtime/safe_fs.hpp"

namespace distill::runtime {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

core::Error fail(const image::LayerEntry& e, std::string_view what) {
  return core::make_error(e.path, std::string(what) + ": " + std::strerror(errno));
}

// Streams the content to `fd`: a layer's multi-gigabyte file costs one
// buffer of memory, not its size. More than the header stated is refused.
core::Status write_entry_data(int fd, const image::ContentReader& content,
                              const image::LayerEntry& e) {
  int64_t written = 0;
  return content.copy([&](std::string_view chunk) -> core::Status {
    written += static_cast<int64_t>(chunk.size());
    if (written > e.size)
      return core::make_error(e.path, "holds more bytes than its header states",
                              "the layer is corrupt");
    if (!core::write_all(fd, chunk)) return fail(e, "cannot write");
    return core::Status::Ok();
  });
}

// Owner first: chown clears the setuid and setgid bits that chmod then sets.
core::Status set_owner_mode_time(int fd, const image::LayerEntry& e) {
  if (::fchown(fd, static_cast<uid_t>(e.uid), static_cast<gid_t>(e.gid)) != 0)
    return fail(e, "cannot set owner");
  if (::fchmod(fd, static_cast<mode_t>(e.mode & 07777)) != 0) return fail(e, "cannot set mode");
  timespec times[2] = {{e.mtime, 0}, {e.mtime, 0}};
  if (::futimens(fd, times) != 0) return fail(e, "cannot set mtime");
  return core::Status::Ok();
}

}  // namespace

bool is_whiteout_name(std::string_view path) {
  return split_parent(path).second.starts_with(kWhiteoutPrefix);
}

core::Status RootfsWriter::whiteout(std::string_view dir, std::string_view name) {
  auto fd = open_dir_beneath(root_.get(), dir, false);
  if (!fd.ok()) return core::Status::Ok();  // nothing below to hide
  return remove_at(fd->get(), std::string(name));
}

core::Status RootfsWriter::opaque(std::string_view dir) {
  auto [parent, name] = split_parent(dir);
  DISTILL_ASSIGN(core::UniqueFd pfd, open_dir_beneath(root_.get(), parent, false));
  // Recreated right away: the marker's folder exists in this layer.
  std::string n(name);
  struct stat st;
  mode_t mode = 0755;
  uid_t uid = 0;
  gid_t gid = 0;
  if (::fstatat(pfd.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
    mode = st.st_mode & 07777;
    uid = st.st_uid;
    gid = st.st_gid;
  }
  DISTILL_TRY(remove_at(pfd.get(), n));
  if (::mkdirat(pfd.get(), n.c_str(), mode) != 0 ||
      ::fchownat(pfd.get(), n.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0 ||
      ::fchmodat(pfd.get(), n.c_str(), mode, 0) != 0)
    return core::make_error(std::string(dir),
                            std::string("cannot recreate: ") + std::strerror(errno));
  return core::Status::Ok();
}

core::Status RootfsWriter::overlay_whiteout(std::string_view dir, std::string_view name) {
  DISTILL_ASSIGN(core::UniqueFd fd, open_dir_beneath(root_.get(), dir, true));
  std::string n(name);
  if (n.empty() || n == "." || n == "..")
    return core::make_error(std::string(dir), "a whiteout without a name");
  struct stat st;
  // This layer's own <name> wins over its whiteout, whichever comes first
  // (as when the whiteouts are applied before the files): write() replaces
  // the device, and here an existing entry is kept.
  if (::fstatat(fd.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return core::Status::Ok();
  if (::mknodat(fd.get(), n.c_str(), S_IFCHR | 0, ::makedev(0, 0)) != 0)
    return core::make_error(
        std::string(dir) + "/" + n,
        std::string("cannot create an overlay whiteout: ") + std::strerror(errno));
  return core::Status::Ok();
}

core::Status RootfsWriter::overlay_opaque(std::string_view dir) {
  DISTILL_ASSIGN(core::UniqueFd fd, open_dir_beneath(root_.get(), dir, true));
  if (::fsetxattr(fd.get(), "trusted.overlay.opaque", "y", 1, 0) != 0)
    return core::make_error(
        std::string(dir).empty() ? "/" : std::string(dir),
        std::string("cannot mark a folder opaque for overlayfs: ") + std::strerror(errno));
  return core::Status::Ok();
}

core::Status RootfsWriter::apply(const image::LayerEntry& entry,
                                 const image::ContentReader& content) {
  auto [dir, name] = split_parent(entry.path);
  const bool overlay = whiteouts_ == Whiteouts::kOverlay;
  if (name == kOpaqueMarker) return overlay ? overlay_opaque(dir) : opaque(dir);
  if (name.starts_with(kWhiteoutPrefix)) {
    if (name.starts_with(".wh..wh.")) return core::Status::Ok();  // aufs bookkeeping
    name.remove_prefix(kWhiteoutPrefix.size());
    return overlay ? overlay_whiteout(dir, name) : whiteout(dir, name);
  }
  return write(entry, content);
}

core::Status RootfsWriter::write(const image::LayerEntry& entry,
                                 const image::ContentReader& content) {
  if (entry.path.empty()) return core::Status::Ok();  // the root keeps its mode
  auto [parent, base] = split_parent(entry.path);
  DISTILL_ASSIGN(core::UniqueFd dir, open_dir_beneath(root_.get(), parent, true));
  std::string name(base);
  switch (entry.type) {
    case image::FileType::kDirectory:
      return write_dir(dir.get(), name, entry);
    case image::FileType::kRegular:
      DISTILL_TRY(remove_at(dir.get(), name));
      if (!entry.hardlink_to.empty()) return write_hardlink(dir.get(), name, entry);
      return write_file(dir.get(), name, entry, content);
    case image::FileType::kSymlink: {
      DISTILL_TRY(remove_at(dir.get(), name));
      if (::symlinkat(entry.link_target.c_str(), dir.get(), name.c_str()) != 0)
        return fail(entry, "cannot create symlink");
      if (::fchownat(dir.get(), name.c_str(), static_cast<uid_t>(entry.uid),
                     static_cast<gid_t>(entry.gid), AT_SYMLINK_NOFOLLOW) != 0)
        return fail(entry, "cannot set owner");
      return core::Status::Ok();
    }
    case image::FileType::kFifo: {
      DISTILL_TRY(remove_at(dir.get(), name));
      if (::mkfifoat(dir.get(), name.c_str(), 0600) != 0) return fail(entry, "cannot create fifo");
      core::UniqueFd fd(
          ::openat(dir.get(), name.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
      if (!fd) return fail(entry, "cannot open fifo");
      return set_owner_mode_time(fd.get(), entry);
    }
    case image::FileType::kCharDevice:
    case image::FileType::kBlockDevice:
    case image::FileType::kSocket:
      // The runtime provides /dev; a device node from a layer could open the
      // host's hardware to the container.
      ++skipped_;
      return core::Status::Ok();
  }
  return core::Status::Ok();
}

core::Status RootfsWriter::write_dir(int dir, const std::string& name,
                                     const image::LayerEntry& entry) {
  struct stat st;
  bool is_dir = ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
  if (!is_dir) {
    DISTILL_TRY(remove_at(dir, name));
    if (::mkdirat(dir, name.c_str(), 0700) != 0) return fail(entry, "cannot create folder");
  }
  core::UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail(entry, "cannot open folder");
  return set_owner_mode_time(fd.get(), entry);
}

core::Status RootfsWriter::write_file(int dir, const std::string& name,
                                      const image::LayerEntry& entry,
                                      const image::ContentReader& content) {
  core::UniqueFd fd(
      ::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return fail(entry, "cannot create file");
  if (entry.size > 0) {
    DISTILL_TRY(write_entry_data(fd.get(), content, entry));
  }
  auto cap = entry.xattrs.find("security.capability");
  if (cap != entry.xattrs.end() &&
      ::fsetxattr(fd.get(), cap->first.c_str(), cap->second.data(), cap->second.size(), 0) != 0)
    return fail(entry, "cannot set file capabilities");
  return set_owner_mode_time(fd.get(), entry);
}

core::Status RootfsWriter::write_hardlink(int dir, const std::string& name,
                                          const image::LayerEntry& entry) {
  auto [tparent, tname] = split_parent(entry.hardlink_to);
  DISTILL_ASSIGN(core::UniqueFd tdir, open_dir_beneath(root_.get(), tparent, false));
  std::string target(tname);
  struct stat st;
  if (::fstatat(tdir.get(), target.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode))
    return core::make_error(entry.path,
                            "hard link to a missing file or a folder: " + entry.hardlink_to);
  // No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself.
  if (::linkat(tdir.get(), target.c_str(), dir, name.c_str(), 0) != 0)
    return fail(entry, "cannot create hard link");
  return core::Status::Ok();
}

}  // namespace distill::runtime
