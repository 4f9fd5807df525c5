#pragma once

#include <string>

#include "core/result.hpp"

namespace distill::core {

// A private folder removed with everything in it when this goes out of scope.
class TempDir {
 public:
  // Created under `parent` (default $TMPDIR or /tmp).
  static Result<TempDir> create(const std::string& parent = {},
                                const std::string& prefix = "distill");
  TempDir(TempDir&& o) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  // Keeps the folder on destruction (for debugging a failure).
  void keep() { keep_ = true; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
  bool keep_ = false;
};

// rm -rf without following symlinks.
Status remove_tree(const std::string& path);

}  // namespace distill::core
