#pragma once

// image::FileEntry values for tests that read a root filesystem's files
// (os-release, the dpkg database) without building an image.

#include <cstdint>
#include <string>
#include <utility>

#include "image/rootfs_view.hpp"

namespace distill::image::test_util {

inline FileEntry text_entry(std::string path, std::string content) {
  FileEntry e;
  e.path = std::move(path);
  e.size = static_cast<int64_t>(content.size());
  e.content = std::move(content);
  return e;
}

inline FileEntry folder_entry(std::string path) {
  FileEntry e;
  e.path = std::move(path);
  e.type = FileType::kDirectory;
  return e;
}

inline FileEntry symlink_entry(std::string path, std::string target) {
  FileEntry e;
  e.path = std::move(path);
  e.type = FileType::kSymlink;
  e.link_target = std::move(target);
  return e;
}

}  // namespace distill::image::test_util
