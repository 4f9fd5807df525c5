#include "core/temp_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace distill::core {
namespace {

// "<prefix>.<pid>.XXXXXX" as mkstemp/mkdtemp take it.
std::string owned_template(const std::string& prefix) {
  return prefix + "." + std::to_string(::getpid()) + ".XXXXXX";
}

// The pid in "<pid>.XXXXXX", or 0 when `rest` is not shaped so.
pid_t owner_pid(std::string_view rest) {
  auto dot = rest.find('.');
  if (dot == 0 || dot == std::string_view::npos || rest.size() - dot - 1 != 6 || dot > 9) return 0;
  pid_t pid = 0;
  for (char c : rest.substr(0, dot)) {
    if (c < '0' || c > '9') return 0;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

// Locked by a live owner (or a child that inherited its descriptor)?
bool lock_is_held(int dirfd, const char* name) {
  UniqueFd fd(::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return true;  // not ours to judge (a symlink, no permission)
  return ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0;
}

Error sys_error(const std::string& where, const std::string& what) {
  return make_error(where, what + ": " + std::strerror(errno));
}

// Unlinks everything in `dir` but folders and returns the first folder's
// name ("" when none is left). A folder of another filesystem is an error.
Result<std::string> empty_but_one_folder(int dir, dev_t dev, const std::string& where) {
  UniqueFd own(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* d = own ? ::fdopendir(own.get()) : nullptr;
  if (d == nullptr) return sys_error(where, "cannot read a folder");
  own.release();
  std::string folder;
  Status status = Status::Ok();
  while (dirent* ent = ::readdir(d)) {
    const char* name = ent->d_name;
    if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
    struct stat st {};
    if (::fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone already
    if (S_ISDIR(st.st_mode)) {
      if (st.st_dev != dev) {
        status = make_error(where, std::string("'") + name + "' is a mount point",
                            "unmount it, then remove the folder");
        break;
      }
      if (folder.empty()) folder = name;
    } else if (::unlinkat(dir, name, 0) != 0 && errno != ENOENT) {
      status = sys_error(where, std::string("cannot remove '") + name + "'");
      break;
    }
  }
  ::closedir(d);
  if (!status.ok()) return status.error();
  return folder;
}

// One folder on the way down: its name in its parent, and that parent.
struct Descent {
  std::string name;
  dev_t parent_dev;
  ino_t parent_ino;
};

}  // namespace

std::string temp_parent(const std::string& parent) {
  if (!parent.empty()) return parent;
  const char* t = std::getenv("TMPDIR");
  return (t && *t) ? t : "/tmp";
}

Result<TempDir> TempDir::create(const std::string& parent, const std::string& prefix) {
  std::string base = temp_parent(parent);
  remove_stale_temporaries(base, prefix);
  std::string tmpl = base + "/" + owned_template(prefix);
  if (::mkdtemp(tmpl.data()) == nullptr) return sys_error(base, "cannot create temporary folder");
  UniqueFd lock(::open(tmpl.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (lock) ::flock(lock.get(), LOCK_EX | LOCK_NB);
  return TempDir(std::move(tmpl), std::move(lock));
}

TempDir::TempDir(TempDir&& o) noexcept
    : path_(std::move(o.path_)), lock_(std::move(o.lock_)), keep_(o.keep_) {
  o.keep_ = true;
}

TempDir::~TempDir() {
  if (!keep_ && !path_.empty()) (void)remove_tree(path_);
}

Result<TempSibling> create_temp_sibling(const std::string& target, TempKind kind) {
  auto slash = target.rfind('/');
  std::string parent = slash == std::string::npos ? "."
                       : slash == 0               ? "/"
                                                  : target.substr(0, slash);
  std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
  remove_stale_temporaries(parent, base + ".distill-tmp");
  TempSibling t{target + "." + owned_template("distill-tmp"), UniqueFd()};
  if (kind == TempKind::kFile) {
    t.fd.reset(::mkostemp(t.path.data(), O_CLOEXEC));
    if (!t.fd) return sys_error(target, "cannot create file");
  } else {
    if (::mkdtemp(t.path.data()) == nullptr) return sys_error(target, "cannot create a folder");
    t.fd.reset(::open(t.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!t.fd) return sys_error(t.path, "cannot open");
  }
  ::flock(t.fd.get(), LOCK_EX | LOCK_NB);
  return t;
}

std::vector<std::string> stale_temporaries(const std::string& dir, std::string_view prefix) {
  std::vector<std::string> stale;
  UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  UniqueFd listing(dirfd ? ::fcntl(dirfd.get(), F_DUPFD_CLOEXEC, 0) : -1);
  DIR* d = listing ? ::fdopendir(listing.get()) : nullptr;
  if (d == nullptr) return stale;
  listing.release();  // closedir closes it
  const std::string start = std::string(prefix) + ".";
  while (dirent* ent = ::readdir(d)) {
    std::string_view name = ent->d_name;
    if (!name.starts_with(start)) continue;
    pid_t pid = owner_pid(name.substr(start.size()));
    if (pid <= 0 || pid == ::getpid() || process_exists(pid)) continue;
    if (lock_is_held(dirfd.get(), ent->d_name)) continue;
    stale.push_back(dir + "/" + ent->d_name);
  }
  ::closedir(d);
  return stale;
}

void remove_stale_temporaries(const std::string& dir, std::string_view prefix) {
  for (const auto& path : stale_temporaries(dir, prefix)) (void)remove_tree(path);
}

Status remove_tree(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0)
    return errno == ENOENT ? Status::Ok() : sys_error(path, "cannot remove");
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return sys_error(path, "cannot remove");
    return Status::Ok();
  }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return sys_error(path, "cannot remove");
  // Only the current folder is open: the way back up is "..", checked
  // against the parent we came from, so depth costs no descriptors.
  std::vector<Descent> path_down;
  for (;;) {
    DISTILL_ASSIGN(std::string sub, empty_but_one_folder(fd.get(), st.st_dev, path));
    if (!sub.empty()) {
      struct stat here {};
      if (::fstat(fd.get(), &here) != 0) return sys_error(path, "cannot remove");
      UniqueFd child(
          ::openat(fd.get(), sub.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child) return sys_error(path, "cannot open '" + sub + "'");
      path_down.push_back({std::move(sub), here.st_dev, here.st_ino});
      fd = std::move(child);
      continue;
    }
    if (path_down.empty()) break;
    UniqueFd up(::openat(fd.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct stat parent {};
    if (!up || ::fstat(up.get(), &parent) != 0 || parent.st_dev != path_down.back().parent_dev ||
        parent.st_ino != path_down.back().parent_ino)
      return make_error(path, "a folder moved while it was being removed");
    if (::unlinkat(up.get(), path_down.back().name.c_str(), AT_REMOVEDIR) != 0)
      return sys_error(path, "cannot remove '" + path_down.back().name + "'");
    path_down.pop_back();
    fd = std::move(up);
  }
  fd.reset();
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return sys_error(path, "cannot remove");
  return Status::Ok();
}

}  // namespace distill::core
