#include "core/decompress.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>

namespace distill::core {
namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

Result<std::string> decompress(std::string_view data, std::string_view where, uint64_t max_bytes) {
  std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
  DISTILL_TRY(enable_builtin_filters(a.get(), std::string(where)));
  archive_read_support_format_raw(a.get());
  // An empty index (a -updates suite right after a point release) compresses
  // to a stream the raw format alone refuses.
  archive_read_support_format_empty(a.get());
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK)
    return make_error(std::string(where), archive_error_string(a.get()));
  archive_entry* entry = nullptr;
  int rc = archive_read_next_header(a.get(), &entry);
  if (rc == ARCHIVE_EOF) return std::string();
  if (rc != ARCHIVE_OK)
    return make_error(std::string(where),
                      std::string("cannot decompress: ") + archive_error_string(a.get()));
  std::string out;
  out.reserve(static_cast<size_t>(std::min<uint64_t>(data.size() * 4, max_bytes)));
  char buf[1 << 16];
  for (;;) {
    la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
    if (n < 0)
      return make_error(std::string(where),
                        std::string("corrupt compressed data: ") + archive_error_string(a.get()),
                        "the download may be truncated");
    if (n == 0) break;
    if (static_cast<uint64_t>(n) > max_bytes - out.size())
      return make_error(std::string(where),
                        "decompresses to more than " + std::to_string(max_bytes) + " bytes",
                        "the file is corrupt or hostile");
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status enable_builtin_filters(archive* a, const std::string& where) {
  for (auto enable : {archive_read_support_filter_gzip, archive_read_support_filter_xz,
                      archive_read_support_filter_bzip2, archive_read_support_filter_zstd,
                      archive_read_support_filter_lzma})
    if (enable(a) != ARCHIVE_OK)
      return make_error(where, "this libarchive lacks a built-in decompressor",
                        archive_error_string(a) ? archive_error_string(a) : "");
  return Status::Ok();
}

}  // namespace distill::core
