#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "oci/fs_entry.hpp"

namespace distill::oci {

// The one way to reach a regular entry's bytes, wherever they are: in
// memory (`data`), a whole host file (`source_path`) or a range of a content
// pack (`source_range`). Every reader streams in bounded chunks or is bounded
// by its caller, so no file costs more memory than the caller allows.
// Errors name the entry ("/usr/lib/x") and, for host files, the file.

// Same type as TarEntryReader's sink (an alias may be declared twice).
using ContentSink = std::function<core::Status(std::string_view)>;

// An open stream over one entry's content. The length is fixed when it is
// opened: a host file that grows or shrinks while it is read, or a pack
// shorter than the range, is an error rather than other bytes.
class ContentStream {
 public:
  static core::Result<ContentStream> open(const FsEntry& entry);

  uint64_t size() const { return size_; }
  // Up to `n` bytes into `buf`; 0 once all `size()` bytes were read.
  core::Result<size_t> read(char* buf, size_t n);
  // The open file (-1 for content in memory).
  int fd() const { return fd_.get(); }

 private:
  ContentStream() = default;
  const FsEntry* entry_ = nullptr;
  core::UniqueFd fd_;
  bool ranged_ = false;
  uint64_t offset_ = 0;  // where the content starts in the file
  uint64_t size_ = 0;
  uint64_t done_ = 0;
};

// The content's length in bytes (a host file's as it is now).
core::Result<uint64_t> content_size(const FsEntry& entry);

// Streams the content to `sink` in chunks of at most 64 KiB. A host file is
// opened without following a symlink; a range must be there whole.
core::Status stream_content(const FsEntry& entry, const ContentSink& sink);

// The content, refused above `max_bytes` (checked before anything is read).
core::Result<std::string> read_content(const FsEntry& entry, uint64_t max_bytes);

// At most the first `n` bytes (e.g. a magic number).
core::Result<std::string> read_content_prefix(const FsEntry& entry, uint64_t n);

// Lowercase hex digests of the content, streamed.
core::Result<std::string> content_sha256(const FsEntry& entry);
core::Result<std::string> content_md5(const FsEntry& entry);

// A read-only view of an entry's whole content that costs memory only for
// the pages a caller touches: a content pack's range is mapped (mmap), not
// read, so parsing the headers of a 100 MB library reads a few pages. Content
// in memory is viewed as is; a whole host file (which its owner could cut
// short under the mapping) is read, refused above `max_bytes` like
// read_content. Valid while the entry and this object live.
class ContentView {
 public:
  static core::Result<ContentView> open(const FsEntry& entry, uint64_t max_bytes);
  ContentView(ContentView&& o) noexcept;
  ContentView& operator=(ContentView&& o) noexcept;
  ContentView(const ContentView&) = delete;
  ContentView& operator=(const ContentView&) = delete;
  ~ContentView();

  std::string_view bytes() const { return view_; }

 private:
  ContentView() = default;
  void unmap();
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::string owned_;
  std::string_view view_;
};

// Whether two regular entries hold the same bytes, compared in chunks.
core::Result<bool> same_content(const FsEntry& a, const FsEntry& b);

}  // namespace distill::oci
