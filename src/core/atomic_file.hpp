#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace distill::core {

// Writes to a temporary file beside the target and renames it into place on
// commit(). Destroyed without commit(), it removes the temporary: a failure or
// an early return never leaves a half-written target.
class AtomicFile {
 public:
  static Result<AtomicFile> create(std::string path, int mode = 0644);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();

  Status write(std::string_view data);
  Status write(const void* data, size_t size) {
    return write(std::string_view(static_cast<const char*>(data), size));
  }
  // fsyncs, renames over the target, then fsyncs the folder.
  Status commit();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_; }
  int fd() const { return fd_.get(); }

 private:
  AtomicFile(std::string path, std::string temp, UniqueFd fd);
  std::string path_;
  std::string temp_;
  UniqueFd fd_;
  bool done_ = false;
};

}  // namespace distill::core
