#include "oci/tar_entry_reader.hpp"

#include <archive_entry.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "core/strings.hpp"
#include "oci/archive_util.hpp"
#include "oci/fs_entry.hpp"

namespace distill::oci {
namespace {

// Grown as the bytes arrive, so a header that lies about a size costs no more
// memory than the data that really follows it.
constexpr uint64_t kMaxUpfrontReserve = uint64_t{16} << 20;

core::Result<uint32_t> owner_id(la_int64_t id) {
  if (id < 0 || id > std::numeric_limits<uint32_t>::max())
    return core::make_error("", std::to_string(id));
  return static_cast<uint32_t>(id);
}

}  // namespace

std::string_view tar_type_name(TarType type) {
  switch (type) {
    case TarType::kRegular:
      return "regular file";
    case TarType::kDirectory:
      return "directory";
    case TarType::kSymlink:
      return "symlink";
    case TarType::kHardlink:
      return "hardlink";
    case TarType::kCharDevice:
      return "character device";
    case TarType::kBlockDevice:
      return "block device";
    case TarType::kFifo:
      return "FIFO";
    case TarType::kSocket:
      return "socket";
  }
  return "file of unknown type";
}

std::string quote_name(std::string_view s) {
  return "'" + core::escape_control(s, !is_valid_utf8(s)) + "'";
}

TarEntryReader::TarEntryReader(archive* tar, std::string where, TarReadOptions options)
    : tar_(tar), where_(std::move(where)), options_(options) {}

core::Error TarEntryReader::member_error(std::string what, std::string hint) const {
  return core::make_error(where_, "member " + quote_name(current_) + " " + what, std::move(hint));
}

core::Result<TarType> TarEntryReader::type_of(archive_entry* e) const {
  if (archive_entry_hardlink(e) != nullptr) return TarType::kHardlink;
  switch (archive_entry_filetype(e)) {
    case AE_IFREG:
      return TarType::kRegular;
    case AE_IFDIR:
      return TarType::kDirectory;
    case AE_IFLNK:
      return TarType::kSymlink;
    case AE_IFCHR:
      return TarType::kCharDevice;
    case AE_IFBLK:
      return TarType::kBlockDevice;
    case AE_IFIFO:
      return TarType::kFifo;
    case AE_IFSOCK:
      return TarType::kSocket;
    default:
      return member_error("has an unknown file type", "the archive is corrupt");
  }
}

core::Result<bool> TarEntryReader::next(TarMember& out) {
  archive_entry* e = nullptr;
  current_.clear();
  current_size_ = 0;
  int rc = archive_read_next_header(tar_, &e);
  if (rc == ARCHIVE_EOF) return false;
  // A warning means libarchive had to guess, e.g. at a name's encoding.
  if (rc != ARCHIVE_OK && (rc != ARCHIVE_WARN || options_.warnings_are_errors))
    return core::make_error(where_, "cannot read the tar archive: " + archive_error(tar_),
                            "the archive is truncated or corrupt");
  if (++members_ > options_.max_members)
    return core::make_error(where_,
                            "has more than " + std::to_string(options_.max_members) + " members",
                            "the archive is corrupt or hostile");
  const char* name = archive_entry_pathname(e);
  if (name == nullptr)
    return core::make_error(where_, "a member has no readable name",
                            "the archive is corrupt or hostile");
  current_ = name;
  out = TarMember{};
  out.name = name;
  DISTILL_ASSIGN(out.type, type_of(e));
  out.mode = static_cast<uint32_t>(archive_entry_perm(e)) & 07777;
  auto uid = owner_id(archive_entry_uid(e));
  auto gid = owner_id(archive_entry_gid(e));
  if (!uid.ok() || !gid.ok())
    return member_error("has owner " + std::to_string(archive_entry_uid(e)) + ":" +
                            std::to_string(archive_entry_gid(e)) + ", outside the range of ids",
                        "the archive is corrupt or hostile");
  out.uid = *uid;
  out.gid = *gid;
  out.mtime = archive_entry_mtime(e);
  out.size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
  if (out.size < 0) return member_error("states a negative size", "the archive is corrupt");
  current_size_ = static_cast<uint64_t>(out.size);
  const char* link = out.type == TarType::kHardlink  ? archive_entry_hardlink(e)
                     : out.type == TarType::kSymlink ? archive_entry_symlink(e)
                                                     : nullptr;
  if (link != nullptr) out.link = link;
  archive_entry_xattr_reset(e);
  const char* key = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK)
    if (key != nullptr) out.xattrs[key] = std::string(static_cast<const char*>(value), size);
  return true;
}

core::Status TarEntryReader::copy_content(const ContentSink& sink) {
  // One buffer for every member: a new one per member of a package with
  // thousands of files would churn the allocator (and an ASan build's
  // quarantine) by a quarter of a MiB each.
  std::vector<char>& buf = buffer_;
  if (buf.empty()) buf.resize(kArchiveChunk);
  for (;;) {
    la_ssize_t n = archive_read_data(tar_, buf.data(), buf.size());
    if (n < 0)
      return member_error("cannot be read: " + archive_error(tar_),
                          "the archive is truncated or corrupt");
    if (n == 0) return core::Status::Ok();
    DISTILL_TRY(sink(std::string_view(buf.data(), static_cast<size_t>(n))));
  }
}

core::Result<ContentRange> TarEntryReader::pack_content(ContentPack& pack) {
  pack.begin_entry();
  DISTILL_TRY(copy_content([&pack](std::string_view chunk) { return pack.add(chunk); }));
  return pack.end_entry();
}

core::Result<std::string> TarEntryReader::read_content(uint64_t max_bytes) {
  auto limit = [&](uint64_t bytes) -> core::Status {
    if (bytes > max_bytes)
      return member_error("is larger than " + std::to_string(max_bytes) + " bytes",
                          "the archive is corrupt or hostile");
    return core::Status::Ok();
  };
  DISTILL_TRY(limit(current_size_));
  std::string out;
  out.reserve(static_cast<size_t>(std::min(current_size_, kMaxUpfrontReserve)));
  DISTILL_TRY(copy_content([&](std::string_view chunk) -> core::Status {
    DISTILL_TRY(limit(out.size() + chunk.size()));
    out.append(chunk);
    return core::Status::Ok();
  }));
  return out;
}

}  // namespace distill::oci
