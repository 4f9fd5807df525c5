#include "oci/content_pack.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace distill::oci {
namespace {

// Small files gather here before one write; a chunk of zeros at least this
// big becomes a hole instead.
constexpr size_t kPackBuffer = size_t{1} << 20;
constexpr size_t kMinHole = size_t{4} << 10;

// Packs of every package of a build share one folder: numbered
// process-wide, so no two writers ever pick the same name.
uint64_t next_pack_id() {
  static std::atomic<uint64_t> next{0};
  return next++;
}

bool all_zeros(std::string_view chunk) {
  return chunk.find_first_not_of('\0') == std::string_view::npos;
}

}  // namespace

core::Result<ContentPack> ContentPack::create(const std::string& dir) {
  ContentPack p;
  p.path_ = dir + "/" + std::to_string(next_pack_id()) + ".pack";
  p.fd_.reset(::open(p.path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!p.fd_)
    return core::make_error(p.path_, "cannot create a scratch file", std::strerror(errno));
  p.buffer_.reserve(kPackBuffer);
  return p;
}

core::Error ContentPack::write_error() const {
  return core::make_error(path_, "cannot write a scratch file", std::strerror(errno));
}

core::Status ContentPack::flush() {
  const char* data = buffer_.data();
  size_t left = buffer_.size();
  while (left > 0) {
    ssize_t n = ::pwrite(fd_.get(), data, left, static_cast<off_t>(buffer_at_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return write_error();
    data += n;
    left -= static_cast<size_t>(n);
    buffer_at_ += static_cast<uint64_t>(n);
  }
  buffer_.clear();
  return core::Status::Ok();
}

core::Status ContentPack::add(std::string_view chunk) {
  if (chunk.size() >= kMinHole && all_zeros(chunk)) {
    DISTILL_TRY(flush());
    end_ += chunk.size();
    buffer_at_ = end_;  // pwrite past it later, or finish()'s ftruncate, leaves a hole
    return core::Status::Ok();
  }
  buffer_.append(chunk);
  end_ += chunk.size();
  if (buffer_.size() >= kPackBuffer) DISTILL_TRY(flush());
  return core::Status::Ok();
}

core::Result<ContentRange> ContentPack::append(std::string_view content) {
  begin_entry();
  DISTILL_TRY(add(content));
  return end_entry();
}

core::Status ContentPack::finish() {
  DISTILL_TRY(flush());
  if (::ftruncate(fd_.get(), static_cast<off_t>(end_)) != 0) return write_error();
  return core::Status::Ok();
}

}  // namespace distill::oci
