#include "core/buffer.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace distill::core {

Result<Buffer> Buffer::map(int fd, size_t size, const std::string& where) {
  if (size == 0) return Buffer();
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (p == MAP_FAILED) return make_error(where, std::string("mmap: ") + std::strerror(errno));
  Buffer b;
  b.owned_.reset();
  b.map_ = p;
  b.size_ = size;
  return b;
}

Buffer::Buffer(Buffer&& other) noexcept
    : owned_(std::move(other.owned_)),
      map_(std::exchange(other.map_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    release();
    owned_ = std::move(other.owned_);
    map_ = std::exchange(other.map_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

Buffer::~Buffer() {
  release();
}

void Buffer::release() {
  if (map_ != nullptr) ::munmap(map_, size_);
  map_ = nullptr;
  size_ = 0;
}

}  // namespace distill::core
