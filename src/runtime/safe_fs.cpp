#include "runtime/safe_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/fd_io.hpp"

namespace distill::runtime {
namespace {

core::Error errno_error(std::string_view where, std::string_view what) {
  return core::make_error(std::string(where), std::string(what) + ": " + std::strerror(errno));
}

}  // namespace

std::pair<std::string_view, std::string_view> split_parent(std::string_view rel) {
  size_t slash = rel.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

core::Result<core::UniqueFd> open_dir_beneath(int root_fd, std::string_view rel, bool create) {
  core::UniqueFd cur(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  if (!cur) return errno_error("rootfs", "cannot duplicate folder handle");
  size_t pos = 0;
  while (pos < rel.size()) {
    size_t end = rel.find('/', pos);
    if (end == std::string_view::npos) end = rel.size();
    std::string part(rel.substr(pos, end - pos));
    std::string so_far(rel.substr(0, end));
    pos = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return core::make_error(so_far, "'..' is not allowed in image paths");
    int fd = ::openat(cur.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), part.c_str(), 0755) != 0 && errno != EEXIST)
        return errno_error(so_far, "cannot create folder");
      fd = ::openat(cur.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      if (errno == ELOOP || errno == ENOTDIR) {
        return core::make_error(so_far, "not a folder (a symlink or file where a folder is needed)",
                                "paths are never resolved through symlinks when unpacking");
      }
      return errno_error(so_far, "cannot open folder");
    }
    cur.reset(fd);
  }
  return cur;
}

core::Result<std::string> read_file_beneath(int root_fd, std::string_view rel, size_t max_bytes) {
  auto [parent, name] = split_parent(rel);
  DISTILL_ASSIGN(core::UniqueFd dir, open_dir_beneath(root_fd, parent, false));
  std::string n(name);
  core::UniqueFd fd(::openat(dir.get(), n.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return errno_error(rel, "cannot open");
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return errno_error(rel, "cannot stat");
  if (!S_ISREG(st.st_mode)) return core::make_error(std::string(rel), "not a regular file");
  std::string out;
  char buf[1 << 14];
  for (;;) {
    ssize_t got = core::read_some(fd.get(), buf, sizeof buf);
    if (got < 0) return errno_error(rel, "cannot read");
    if (got == 0) break;
    out.append(buf, static_cast<size_t>(got));
    if (out.size() > max_bytes)
      return core::make_error(std::string(rel),
                              "larger than " + std::to_string(max_bytes) + " bytes");
  }
  return out;
}

core::Status remove_at(int dir_fd, const std::string& name) {
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return core::Status::Ok();
    return errno_error(name, "cannot stat");
  }
  if (S_ISDIR(st.st_mode)) {
    int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno_error(name, "cannot open folder");
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      ::close(fd);
      return errno_error(name, "cannot list folder");
    }
    std::vector<std::string> children;
    while (dirent* e = ::readdir(d)) {
      std::string child = e->d_name;
      if (child != "." && child != "..") children.push_back(std::move(child));
    }
    core::Status status;
    for (const auto& child : children) {
      status = remove_at(::dirfd(d), child);
      if (!status.ok()) break;
    }
    ::closedir(d);
    if (!status.ok()) return status.error().with_where(name);
    if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0)
      return errno_error(name, "cannot remove");
    return core::Status::Ok();
  }
  if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT)
    return errno_error(name, "cannot remove");
  return core::Status::Ok();
}

}  // namespace distill::runtime
