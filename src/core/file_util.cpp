#include "core/file_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/fd_io.hpp"
#include "core/strings.hpp"
#include "core/unique_fd.hpp"

namespace distill::core {

Result<std::string> read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return make_error(path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error(path, std::strerror(errno));
  std::string out;
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read_some(fd.get(), buf, sizeof buf);
    if (n < 0) return make_error(path, std::strerror(errno));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status write_file_atomic(const std::string& path, std::string_view data, int mode) {
  DISTILL_ASSIGN(AtomicFile file, AtomicFile::create(path, mode));
  DISTILL_TRY(file.write(data));
  return file.commit();
}

Status read_file_chunks(const std::string& path,
                        const std::function<Status(std::string_view)>& sink) {
  UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) return make_error(path, std::string("cannot open: ") + std::strerror(errno));
  std::vector<char> buf(1 << 16);
  for (;;) {
    ssize_t n = read_some(in.get(), buf.data(), buf.size());
    if (n < 0) return make_error(path, std::string("cannot read: ") + std::strerror(errno));
    if (n == 0) return Status::Ok();
    DISTILL_TRY(sink(std::string_view(buf.data(), static_cast<size_t>(n))));
  }
}

Status copy_file_atomic(const std::string& from, const std::string& to, int mode) {
  DISTILL_ASSIGN(AtomicFile file, AtomicFile::create(to, mode));
  DISTILL_TRY(
      read_file_chunks(from, [&file](std::string_view chunk) { return file.write(chunk); }));
  return file.commit();
}

Status make_dirs(const std::string& path, int mode) {
  if (path.empty()) return Status::Ok();
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST)
      return make_error(partial, std::string("cannot create folder: ") + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return make_error(path, "not a folder");
  return Status::Ok();
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

namespace {

Result<std::string> real_path(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return make_error(path, std::strerror(errno));
  return std::string(buf);
}

}  // namespace

Result<std::string> resolve_path(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") return real_path(path);
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  DISTILL_ASSIGN(std::string real_dir, real_path(dir.empty() ? "/" : dir));
  return (real_dir == "/" ? "" : real_dir) + "/" + name;
}

bool path_is_within(std::string_view path, std::string_view dir) {
  if (dir == "/") return path.starts_with('/');
  return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

std::vector<std::string_view> path_components(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    start = slash + 1;
    if (!part.empty() && part != ".") out.push_back(part);
  }
  return out;
}

std::optional<std::string> normalize_relative_path(std::string_view path) {
  std::vector<std::string_view> parts = path_components(path);
  for (std::string_view part : parts)
    if (part == "..") return std::nullopt;
  return join(parts, "/");
}

}  // namespace distill::core
