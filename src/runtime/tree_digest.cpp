#include "runtime/tree_digest.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/sha256.hpp"
#include "core/unique_fd.hpp"

namespace distill::runtime {
namespace {

core::Error tree_error(const std::string& dir, const std::string& what) {
  return core::make_error(dir, what + ": " + std::strerror(errno));
}

// The names in the folder `fd`, sorted ("." and ".." left out).
core::Result<std::vector<std::string>> sorted_names(int fd, const std::string& where) {
  core::UniqueFd listing(::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* d = listing ? ::fdopendir(listing.get()) : nullptr;
  if (d == nullptr) return tree_error(where, "cannot list");
  listing.release();  // closedir closes it
  std::vector<std::string> names;
  while (dirent* ent = ::readdir(d)) {
    std::string_view n = ent->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

void hash_entry(core::Sha256& h, size_t depth, const std::string& name, const struct stat& st) {
  std::string line = std::to_string(depth) + '/' + name + '\0';
  for (long long v :
       {static_cast<long long>(st.st_mode), static_cast<long long>(st.st_uid),
        static_cast<long long>(st.st_gid), static_cast<long long>(st.st_size),
        static_cast<long long>(st.st_ino), static_cast<long long>(st.st_nlink),
        static_cast<long long>(st.st_rdev), static_cast<long long>(st.st_mtim.tv_sec),
        static_cast<long long>(st.st_mtim.tv_nsec), static_cast<long long>(st.st_ctim.tv_sec),
        static_cast<long long>(st.st_ctim.tv_nsec)})
    line += std::to_string(v) + ' ';
  line += '\n';
  h.update(line);
}

struct Frame {
  std::vector<std::string> names;
  size_t next = 0;
  dev_t dev = 0;
  ino_t ino = 0;
};

}  // namespace

core::Result<std::string> tree_digest(const std::string& dir) {
  core::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return tree_error(dir, "cannot open");
  struct stat root {};
  if (::fstat(fd.get(), &root) != 0) return tree_error(dir, "cannot read");
  core::Sha256 h;
  hash_entry(h, 0, "", root);
  std::vector<Frame> stack;
  DISTILL_ASSIGN(auto names, sorted_names(fd.get(), dir));
  stack.push_back({std::move(names), 0, root.st_dev, root.st_ino});
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.names.size()) {
      stack.pop_back();
      if (stack.empty()) break;
      // Back up one folder: ".." must be the folder we came down from.
      core::UniqueFd up(::openat(fd.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      struct stat st {};
      if (!up || ::fstat(up.get(), &st) != 0 || st.st_dev != stack.back().dev ||
          st.st_ino != stack.back().ino)
        return core::make_error(dir, "a folder moved while it was being read");
      fd = std::move(up);
      continue;
    }
    const std::string& name = top.names[top.next++];
    struct stat st {};
    if (::fstatat(fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return tree_error(dir, "cannot read '" + name + "'");
    hash_entry(h, stack.size(), name, st);
    if (!S_ISDIR(st.st_mode)) continue;
    if (st.st_dev != root.st_dev)
      return core::make_error(dir, "holds a mount point: '" + name + "'");
    core::UniqueFd child(
        ::openat(fd.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!child) return tree_error(dir, "cannot open '" + name + "'");
    DISTILL_ASSIGN(auto sub, sorted_names(child.get(), dir));
    stack.push_back({std::move(sub), 0, st.st_dev, st.st_ino});
    fd = std::move(child);
  }
  return h.hex_digest();
}

}  // namespace distill::runtime
