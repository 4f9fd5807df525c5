#include "oci/layout_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/fd_io.hpp"
#include "core/json.hpp"

namespace distill::oci {
namespace {

constexpr int kNoFollow = O_RDONLY | O_CLOEXEC | O_NOFOLLOW;

core::Result<core::UniqueFd> open_regular(int dir, const char* name, const std::string& where) {
  core::UniqueFd fd(::openat(dir, name, kNoFollow | O_NONBLOCK));
  if (!fd)
    return core::make_error(where, errno == ELOOP ? "is a symlink" : std::strerror(errno),
                            errno == ELOOP ? "layout files must be regular files" : "");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return core::make_error(where, std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return core::make_error(where, "is not a regular file", "the layout is malformed");
  return fd;
}

}  // namespace

core::Result<std::unique_ptr<LayoutReader>> LayoutReader::open(const std::string& path,
                                                               const ReaderLimits& limits) {
  core::UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return core::make_error(path, std::strerror(errno));
  std::unique_ptr<LayoutReader> r(new LayoutReader(path, limits, std::move(dir)));
  DISTILL_ASSIGN(std::string layout, r->read_small("oci-layout", 4096));
  auto version = [&]() -> core::Result<std::string> {
    DISTILL_ASSIGN(auto j, core::parse_json(layout));
    return core::json_string(j, "imageLayoutVersion");
  }();
  if (!version.ok() || !version->starts_with("1."))
    return core::make_error(path + "/oci-layout", "is not an OCI image layout version 1 marker",
                            "expected {\"imageLayoutVersion\":\"1.0.0\"}");
  DISTILL_ASSIGN(std::string index, r->read_small("index.json", limits.max_metadata_size));
  DISTILL_ASSIGN(r->index_, parse_index(index, path + "/index.json"));
  return r;
}

core::Result<std::string> LayoutReader::read_small(const char* name, int64_t max_size) {
  std::string where = path_ + "/" + name;
  DISTILL_ASSIGN(core::UniqueFd fd, open_regular(dir_.get(), name, where));
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = core::read_some(fd.get(), buf, sizeof buf);
    if (n < 0) return core::make_error(where, std::strerror(errno));
    if (n == 0) return out;
    if (static_cast<int64_t>(out.size()) + n > max_size)
      return core::make_error(where, "is larger than " + std::to_string(max_size) + " bytes");
    out.append(buf, static_cast<size_t>(n));
  }
}

core::Status LayoutReader::stream_raw(const Descriptor& d, const Sink& sink) {
  std::string where = path_ + "/blobs/sha256/" + d.digest.hex();
  if (d.digest.empty()) return core::make_error(path_, "descriptor without a digest");
  core::UniqueFd blobs(::openat(dir_.get(), "blobs", kNoFollow | O_DIRECTORY));
  core::UniqueFd sha(blobs ? ::openat(blobs.get(), "sha256", kNoFollow | O_DIRECTORY) : -1);
  if (!sha)
    return core::make_error(path_ + "/blobs/sha256", std::strerror(errno),
                            "the layout is malformed");
  // The hex was validated when the digest was parsed: it cannot hold a '/'.
  auto fd = open_regular(sha.get(), d.digest.hex().c_str(), where);
  if (!fd.ok()) return fd.error();
  std::vector<char> buf(1 << 18);
  for (;;) {
    ssize_t n = core::read_some(fd->get(), buf.data(), buf.size());
    if (n < 0) return core::make_error(where, std::strerror(errno));
    if (n == 0) return core::Status::Ok();
    DISTILL_TRY(sink(std::string_view(buf.data(), static_cast<size_t>(n))));
  }
}

}  // namespace distill::oci
