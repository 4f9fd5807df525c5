#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <cstddef>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace distill::oci {

// libarchive converts entry names through the calling thread's locale charset,
// so LANG/LC_ALL would otherwise change the bytes of a layer (a UTF-8 name
// becomes a pax "hdrcharset=BINARY" record in the C locale). Holding one of
// these pins the current thread, and only it, to C.UTF-8 while an archive is
// open; the process locale is untouched.
class ScopedUtf8Locale {
 public:
  ScopedUtf8Locale();
  ~ScopedUtf8Locale();
  ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
  ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;

  core::Status status() const;

 private:
  locale_t previous_ = nullptr;
};

struct ArchiveWriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchiveWriter = std::unique_ptr<archive, ArchiveWriteDeleter>;
using ArchiveReader = std::unique_ptr<archive, ArchiveReadDeleter>;
struct ArchiveEntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using ArchiveEntry = std::unique_ptr<archive_entry, ArchiveEntryDeleter>;

// Bytes read from or copied to an archive at a time.
constexpr size_t kArchiveChunk = 1 << 18;

std::string archive_error(archive* a);

}  // namespace distill::oci
