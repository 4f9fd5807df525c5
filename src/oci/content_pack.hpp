#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "oci/fs_entry.hpp"

namespace distill::oci {

// An append-only scratch file that holds the content of many regular entries
// back to back, so that a build keeps the bytes of its packages on disk and
// only their metadata in memory: an entry refers to its bytes by the pack's
// path and a ContentRange (FsEntry::source_path, source_range), read through
// oci/entry_content.hpp. Writes are buffered (small files cost no system call
// each); runs of zeros of a whole chunk become holes, so a file of zeros
// costs no disk either. The pack's folder must outlive its entries; the
// content is readable once finish() returned. One writer per pack: a build
// gives each package its own.
class ContentPack {
 public:
  // A new pack "<n>.pack" in `dir` (mode 0600), n unique in this process.
  static core::Result<ContentPack> create(const std::string& dir);

  const std::string& path() const { return path_; }
  // Bytes appended so far (the pack's final size).
  uint64_t size() const { return end_; }

  // Starts an entry's content; then add() its bytes in any chunks; then
  // end_entry() gives its range.
  void begin_entry() { start_ = end_; }
  core::Status add(std::string_view chunk);
  ContentRange end_entry() const { return ContentRange{start_, end_ - start_}; }

  // A whole entry's content at once.
  core::Result<ContentRange> append(std::string_view content);

  // Writes what is buffered and gives the pack its full length.
  core::Status finish();

 private:
  ContentPack() = default;
  core::Status flush();
  core::Error write_error() const;

  std::string path_;
  core::UniqueFd fd_;
  std::string buffer_;
  uint64_t buffer_at_ = 0;  // the pack offset of buffer_[0]
  uint64_t end_ = 0;
  uint64_t start_ = 0;
};

}  // namespace distill::oci
