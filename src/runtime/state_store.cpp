#include "runtime/state_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/file_util.hpp"
#include "runtime/bundle.hpp"

namespace distill::runtime {
namespace {

constexpr const char* kClaimPrefix = "container";

core::Error sys_error(const std::string& where, const std::string& what) {
  return core::make_error(where, what + ": " + std::strerror(errno));
}

// mkdir -m 0700, and 0700 also when it existed (an older umask, a user's mkdir).
core::Status private_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return sys_error(path, "cannot create");
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return core::make_error(path, "is not a folder", "remove it or set DISTILL_STATE_DIR");
  if (st.st_uid != ::geteuid())
    return core::make_error(path, "belongs to another user", "set DISTILL_STATE_DIR");
  if ((st.st_mode & 07777) != 0700 && ::chmod(path.c_str(), 0700) != 0)
    return sys_error(path, "cannot make private");
  return core::Status::Ok();
}

}  // namespace

std::string StateStore::default_root() {
  const char* env = std::getenv("DISTILL_STATE_DIR");
  return env != nullptr && *env != '\0' ? env : "/var/lib/distill";
}

std::string StateStore::container_dir(const std::string& name) const {
  return root_ + "/containers/" + name;
}

core::Status StateStore::prepare() const {
  if (!root_.empty() && root_.front() != '/')
    return core::make_error(root_, "the state folder must be an absolute path",
                            "set DISTILL_STATE_DIR to an absolute path");
  auto parent = root_.substr(0, root_.rfind('/'));
  if (!parent.empty()) DISTILL_TRY(core::make_dirs(parent, 0755));
  for (const std::string& dir : {root_, root_ + "/containers", runc_root(), root_ + "/new"})
    DISTILL_TRY(private_dir(dir));
  return core::Status::Ok();
}

std::vector<std::string> StateStore::names() const {
  std::vector<std::string> out;
  DIR* d = ::opendir((root_ + "/containers").c_str());
  if (d == nullptr) return out;
  while (dirent* ent = ::readdir(d)) {
    std::string name = ent->d_name;
    if (validate_container_name(name).ok()) out.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

bool StateStore::exists(const std::string& name) const {
  struct stat st {};
  return validate_container_name(name).ok() && ::lstat(container_dir(name).c_str(), &st) == 0 &&
         S_ISDIR(st.st_mode);
}

core::Result<ContainerRecord> StateStore::read_record(const std::string& name) const {
  DISTILL_ASSIGN(std::string text, core::read_file(container_dir(name) + "/record.json"));
  auto record = parse_record(text);
  if (!record.ok()) return record.error().with_where(container_dir(name));
  return record;
}

core::Status StateStore::write_record(const ContainerRecord& record) const {
  return core::write_file_atomic(container_dir(record.name) + "/record.json", record_json(record),
                                 0600);
}

core::Result<core::UniqueFd> StateStore::try_lock(const std::string& name) const {
  const std::string dir = container_dir(name);
  core::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return sys_error(dir, "cannot open");
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return core::UniqueFd();
  return fd;
}

core::Result<core::TempDir> StateStore::claim(const ContainerRecord& record) const {
  // TempDir names the folder after our pid and locks it before anything else
  // sees it, and removes claims of dead distills in new/ first.
  DISTILL_ASSIGN(core::TempDir dir, core::TempDir::create(root_ + "/new", kClaimPrefix));
  DISTILL_TRY(core::write_file_atomic(dir.path() + "/record.json", record_json(record), 0600));
  // rename(2) never replaces a folder that holds something: a live name
  // (whose folder always holds its record) is refused atomically.
  if (::rename(dir.path().c_str(), container_dir(record.name).c_str()) != 0) {
    if (errno == EEXIST || errno == ENOTEMPTY)
      return core::make_error("--name " + record.name, "is already in use by a container",
                              "choose another name, or `distill stop " + record.name + "` first");
    return sys_error(container_dir(record.name), "cannot create");
  }
  dir.keep();
  return dir;
}

core::Status StateStore::remove(const std::string& name) const {
  // The bundle's overlay stays mounted after `run -d` returns: undone here,
  // or remove_tree would stop at the mount point.
  unmount_bundles(container_dir(name), false);
  return core::remove_tree(container_dir(name));
}

}  // namespace distill::runtime
