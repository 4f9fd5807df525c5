#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::core {

// Read-only bytes, owned either as a string or as a private mapping of a file
// (large cached indices are mapped rather than copied into memory). The view
// stays valid for the buffer's lifetime, moves included.
class Buffer {
 public:
  Buffer() : Buffer(std::string()) {}
  explicit Buffer(std::string bytes) : owned_(std::make_unique<std::string>(std::move(bytes))) {}
  // Maps `size` bytes of `fd` (which may be closed afterwards), pages
  // prefaulted since every byte is about to be read.
  static Result<Buffer> map(int fd, size_t size, const std::string& where);

  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();

  std::string_view view() const {
    return owned_ ? std::string_view(*owned_)
                  : std::string_view(static_cast<const char*>(map_), size_);
  }

 private:
  void release();

  std::unique_ptr<std::string> owned_;
  void* map_ = nullptr;
  size_t size_ = 0;
};

}  // namespace distill::core
