#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/fd_io.hpp"
#include "core/temp_dir.hpp"

namespace distill::core {
namespace {

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

AtomicFile::AtomicFile(std::string path, std::string temp, UniqueFd fd)
    : path_(std::move(path)), temp_(std::move(temp)), fd_(std::move(fd)) {}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : path_(std::move(o.path_)), temp_(std::move(o.temp_)), fd_(std::move(o.fd_)), done_(o.done_) {
  o.done_ = true;
}

Result<AtomicFile> AtomicFile::create(std::string path, int mode) {
  // A flock'd "<path>.distill-tmp.<pid>.XXXXXX": the next writer of `path`
  // removes it if we die before commit() (core/temp_dir.hpp).
  DISTILL_ASSIGN(TempSibling temp, create_temp_sibling(path, TempKind::kFile));
  // mkostemp creates 0600; apply the requested mode regardless of umask.
  if (::fchmod(temp.fd.get(), static_cast<mode_t>(mode)) != 0) {
    int err = errno;
    ::unlink(temp.path.c_str());
    return make_error(path, std::string("cannot set mode: ") + std::strerror(err));
  }
  return AtomicFile(std::move(path), std::move(temp.path), std::move(temp.fd));
}

AtomicFile::~AtomicFile() {
  if (!done_) {
    fd_.reset();
    ::unlink(temp_.c_str());
  }
}

Status AtomicFile::write(std::string_view data) {
  if (!write_all(fd_.get(), data))
    return make_error(path_, std::string("write failed: ") + std::strerror(errno));
  return Status::Ok();
}

Status AtomicFile::commit() {
  if (::fsync(fd_.get()) != 0)
    return make_error(path_, std::string("fsync failed: ") + std::strerror(errno));
  fd_.reset();
  if (::rename(temp_.c_str(), path_.c_str()) != 0)
    return make_error(path_, std::string("rename failed: ") + std::strerror(errno));
  done_ = true;
  UniqueFd dir(::open(parent_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) ::fsync(dir.get());
  return Status::Ok();
}

}  // namespace distill::core
