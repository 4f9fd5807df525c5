#include "cache/cache.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/fd_io.hpp"
#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/unique_fd.hpp"

namespace distill::cache {
namespace {

constexpr int64_t kStaleTempSeconds = 24 * 3600;

// Unlinks `path` only if it is still the file we judged corrupt: another
// process may have renamed a good copy into place meanwhile.
void discard(const std::string& path, const struct stat& judged) {
  struct stat now {};
  if (::lstat(path.c_str(), &now) == 0 && now.st_dev == judged.st_dev &&
      now.st_ino == judged.st_ino)
    ::unlink(path.c_str());
}

// Opens a blob as a regular file and checks its size; nullopt otherwise.
std::optional<core::UniqueFd> open_blob(const std::string& path, std::optional<uint64_t> size,
                                        struct stat& st, bool* corrupt = nullptr) {
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) {
    if (errno == ELOOP && ::lstat(path.c_str(), &st) == 0) {
      discard(path, st);
      if (corrupt) *corrupt = true;
    }
    return std::nullopt;
  }
  if (::fstat(fd.get(), &st) != 0) return std::nullopt;
  if (!S_ISREG(st.st_mode) || (size && static_cast<uint64_t>(st.st_size) != *size)) {
    discard(path, st);
    if (corrupt) *corrupt = true;
    return std::nullopt;
  }
  return fd;
}

// Reads the whole fd, hashing it; appends the bytes to `out` when non-null.
std::optional<std::string> hash_fd(int fd, std::string* out) {
  core::Sha256 hasher;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = core::read_some(fd, buf, sizeof buf);
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    hasher.update(buf, static_cast<size_t>(n));
    if (out) out->append(buf, static_cast<size_t>(n));
  }
  return hasher.hex_digest();
}

// Temporaries of writers that crashed; live writers finish within minutes.
void prune_stale_temporaries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  int64_t now = static_cast<int64_t>(::time(nullptr));
  while (dirent* ent = ::readdir(d)) {
    if (std::strstr(ent->d_name, ".distill-tmp.") == nullptr) continue;
    std::string path = dir + "/" + ent->d_name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && now - st.st_mtime > kStaleTempSeconds)
      ::unlink(path.c_str());
  }
  ::closedir(d);
}

}  // namespace

std::string Cache::default_root() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/distill";
  const char* home = std::getenv("HOME");
  if (home && home[0] == '/') return std::string(home) + "/.cache/distill";
  if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir && pw->pw_dir[0] == '/')
    return std::string(pw->pw_dir) + "/.cache/distill";
  return fmt::format("/tmp/distill-cache-{}", ::getuid());
}

core::Result<Cache> Cache::open(std::string root) {
  if (root.empty()) return core::make_error("cache", "no cache folder given");
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  Cache cache(root);
  for (const std::string& dir : {root + "/blobs/sha256", root + "/named"}) {
    auto st = core::make_dirs(dir);
    if (!st.ok()) return st.error().with_where("cache");
    prune_stale_temporaries(dir);
  }
  return cache;
}

std::string Cache::blob_path(std::string_view sha256) const {
  return root_ + "/blobs/sha256/" + std::string(sha256);
}

std::optional<std::string> Cache::lookup(std::string_view sha256, std::optional<uint64_t> size,
                                         bool* corrupt) {
  if (!core::is_sha256_hex(sha256)) return std::nullopt;
  std::string path = blob_path(sha256);
  struct stat st {};
  auto fd = open_blob(path, size, st, corrupt);
  if (!fd) return std::nullopt;
  auto digest = hash_fd(fd->get(), nullptr);
  if (!digest) return std::nullopt;
  if (*digest != sha256) {
    discard(path, st);
    if (corrupt) *corrupt = true;
    return std::nullopt;
  }
  return path;
}

std::optional<std::string> Cache::read(std::string_view sha256, std::optional<uint64_t> size) {
  if (!core::is_sha256_hex(sha256)) return std::nullopt;
  std::string path = blob_path(sha256);
  struct stat st {};
  auto fd = open_blob(path, size, st);
  if (!fd) return std::nullopt;
  // Hash exactly the bytes handed back, so no later swap can slip in.
  std::string data;
  data.reserve(static_cast<size_t>(st.st_size));
  auto digest = hash_fd(fd->get(), &data);
  if (!digest) return std::nullopt;
  if (*digest != sha256) {
    discard(path, st);
    return std::nullopt;
  }
  return data;
}

std::optional<core::Buffer> Cache::read_mapped(std::string_view sha256,
                                               std::optional<uint64_t> size) {
  if (!core::is_sha256_hex(sha256)) return std::nullopt;
  std::string path = blob_path(sha256);
  struct stat st {};
  auto fd = open_blob(path, size, st);
  if (!fd) return std::nullopt;
  auto mapped = core::Buffer::map(fd->get(), static_cast<size_t>(st.st_size), path);
  if (!mapped.ok()) return std::nullopt;
  if (core::sha256_hex(mapped->view()) != sha256) {
    discard(path, st);
    return std::nullopt;
  }
  return std::move(mapped).value();
}

core::Result<std::string> Cache::store_with(
    std::string_view sha256, std::optional<uint64_t> size,
    const std::function<core::Status(const net::BodySink&)>& produce, const std::string& where) {
  return store_streaming(
      sha256, size,
      [&produce](const net::BodySink& sink, const std::function<void()>&) { return produce(sink); },
      where);
}

core::Result<std::string> Cache::store(std::string_view sha256, std::string_view data,
                                       const std::string& where) {
  return store_with(
      sha256, data.size(),
      [data](const net::BodySink& sink) -> core::Status {
        if (!sink(data)) return core::make_error("cache", "write aborted");
        return core::Status::Ok();
      },
      where);
}

core::Result<std::string> Cache::store_streaming(std::string_view sha256,
                                                 std::optional<uint64_t> size,
                                                 const RestartableProducer& produce,
                                                 const std::string& where) {
  if (!core::is_sha256_hex(sha256))
    return core::make_error(where, "invalid SHA-256 '" + std::string(sha256) + "'",
                            "expected 64 lowercase hex digits");
  if (auto hit = lookup(sha256, size)) return *hit;
  auto dirs = core::make_dirs(root_ + "/blobs/sha256");
  if (!dirs.ok()) return dirs.error();
  DISTILL_ASSIGN(core::AtomicFile file, core::AtomicFile::create(blob_path(sha256), 0644));

  auto hasher = std::make_unique<core::Sha256>();
  uint64_t written = 0;
  bool too_big = false;
  core::Status write_status;
  net::BodySink sink = [&](std::string_view chunk) {
    if (size && written + chunk.size() > *size) {
      too_big = true;
      return false;
    }
    write_status = file.write(chunk);
    if (!write_status.ok()) return false;
    hasher->update(chunk);
    written += chunk.size();
    return true;
  };
  std::function<void()> restart = [&] {
    hasher = std::make_unique<core::Sha256>();
    written = 0;
    too_big = false;
    write_status = core::Status::Ok();
    if (::ftruncate(file.fd(), 0) != 0 || ::lseek(file.fd(), 0, SEEK_SET) != 0)
      write_status = core::make_error(file.temp_path(), std::strerror(errno));
  };

  core::Status produced = produce(sink, restart);
  if (too_big)
    return core::make_error(where,
                            fmt::format("size mismatch: expected {} bytes, got more", *size));
  if (!write_status.ok()) return write_status.error();
  if (!produced.ok()) return produced.error();
  if (size && written != *size)
    return core::make_error(
        where, fmt::format("size mismatch: expected {} bytes, got {}", *size, written));
  std::string got = hasher->hex_digest();
  if (got != sha256)
    return core::make_error(where,
                            fmt::format("SHA256 mismatch: expected {}, got {}", sha256, got));
  DISTILL_TRY(file.commit());
  return blob_path(sha256);
}

// A named record starts with a line that seals its key and payload, so a
// record that was cut short, edited or copied under another name reads as
// absent (and is rebuilt) instead of feeding a wrong digest into an image.
std::string Cache::seal(std::string_view key, std::string_view data) {
  core::Sha256 h;
  h.update(key);
  h.update("\n");
  h.update(data);
  return std::string(kRecordMagic) + " " + h.hex_digest() + "\n";
}

std::optional<std::string> Cache::read_named(std::string_view key) {
  std::string path = root_ + "/named/" + core::sha256_hex(key);
  auto data = core::read_file(path);
  if (!data.ok()) return std::nullopt;
  size_t eol = data->find('\n');
  if (eol == std::string::npos) return std::nullopt;
  std::string_view payload = std::string_view(*data).substr(eol + 1);
  if (std::string_view(*data).substr(0, eol + 1) != seal(key, payload)) return std::nullopt;
  return std::string(payload);
}

core::Status Cache::write_named(std::string_view key, std::string_view data) {
  std::string dir = root_ + "/named";
  DISTILL_TRY(core::make_dirs(dir));
  return core::write_file_atomic(dir + "/" + core::sha256_hex(key),
                                 seal(key, data) + std::string(data));
}

}  // namespace distill::cache
