#include "image/layer_stream.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>
#include <vector>

#include "core/fd_io.hpp"
#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/unique_fd.hpp"
#include "oci/archive_util.hpp"

namespace distill::image {
namespace {

constexpr size_t kChunk = 1 << 16;

enum class Codec { kNone, kGzip, kZstd };

core::Result<Codec> codec_for(const oci::Descriptor& layer, const std::string& where) {
  std::string_view t = layer.media_type;
  if (t.ends_with("+gzip") || t.ends_with(".gzip")) return Codec::kGzip;
  if (t.ends_with("+zstd") || t.ends_with(".zstd")) return Codec::kZstd;
  if (t.ends_with(".tar")) return Codec::kNone;
  return core::make_error(where, "unsupported layer media type '" + std::string(t) + "'",
                          "layers must be tar, tar+gzip or tar+zstd");
}

const char* codec_name(Codec c) {
  return c == Codec::kGzip ? "gzip" : c == Codec::kZstd ? "zstd" : "an uncompressed tar";
}

int filter_code(Codec c) {
  return c == Codec::kGzip   ? ARCHIVE_FILTER_GZIP
         : c == Codec::kZstd ? ARCHIVE_FILTER_ZSTD
                             : ARCHIVE_FILTER_NONE;
}

// When the consumer stops early, EPIPE ends this stream (send_all's
// MSG_NOSIGNAL) instead of SIGPIPE ending the process.
core::Status send_chunk(int fd, std::string_view data) {
  if (!core::send_all(fd, data)) return core::make_error("layer stream", std::strerror(errno));
  return core::Status::Ok();
}

// The decompressed bytes, pulled by the tar reader through read_callback and
// hashed on the way: the diff_id is the SHA-256 of exactly this stream.
struct Uncompressed {
  archive* raw = nullptr;
  core::Sha256 hash;
  int64_t bytes = 0;
  std::vector<char> buf = std::vector<char>(kChunk);

  la_ssize_t pull() {
    la_ssize_t n = archive_read_data(raw, buf.data(), buf.size());
    if (n > 0) {
      hash.update(buf.data(), static_cast<size_t>(n));
      bytes += n;
    }
    return n;
  }
};

la_ssize_t read_callback(archive* tar, void* ctx, const void** out) {
  auto* u = static_cast<Uncompressed*>(ctx);
  la_ssize_t n = u->pull();
  if (n < 0) {
    archive_set_error(tar, EIO, "cannot decompress: %s", oci::archive_error(u->raw).c_str());
    return -1;
  }
  *out = u->buf.data();
  return n;
}

core::Result<FileType> entry_type(archive_entry* e) {
  switch (archive_entry_filetype(e)) {
    case AE_IFREG:
      return FileType::kRegular;
    case AE_IFDIR:
      return FileType::kDirectory;
    case AE_IFLNK:
      return FileType::kSymlink;
    case AE_IFCHR:
      return FileType::kCharDevice;
    case AE_IFBLK:
      return FileType::kBlockDevice;
    case AE_IFIFO:
      return FileType::kFifo;
    case AE_IFSOCK:
      return FileType::kSocket;
    default:
      return core::make_error("", "has an unknown file type");
  }
}

core::Result<LayerEntry> to_entry(archive_entry* e, const std::string& where) {
  const char* name = archive_entry_pathname(e);
  if (name == nullptr)
    return core::make_error(where, "a member has no readable name", "the layer is corrupt");
  auto member = [&](const core::Error& err) {
    return core::make_error(where, "member '" + std::string(name) + "' " + err.what,
                            err.hint.empty() ? "the layer is corrupt or unsafe" : err.hint);
  };
  LayerEntry out;
  auto path = normalize_member_path(name);
  if (!path.ok()) return member(path.error());
  out.path = std::move(*path);
  if (const char* target = archive_entry_hardlink(e)) {
    auto link = normalize_member_path(target);
    if (!link.ok()) return member(link.error());
    if (link->empty()) return member(core::make_error("", "is a hard link to the root"));
    out.hardlink_to = std::move(*link);
    out.type = FileType::kRegular;
  } else {
    auto type = entry_type(e);
    if (!type.ok()) return member(type.error());
    out.type = *type;
  }
  out.mode = static_cast<uint32_t>(archive_entry_perm(e)) & 07777;
  out.uid = archive_entry_uid(e);
  out.gid = archive_entry_gid(e);
  out.mtime = archive_entry_mtime(e);
  if (out.type == FileType::kRegular) out.size = archive_entry_size(e);
  if (out.type == FileType::kSymlink) {
    const char* target = archive_entry_symlink(e);
    out.link_target = target ? target : "";
  }
  archive_entry_xattr_reset(e);
  const char* key = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK)
    out.xattrs[key] = std::string(static_cast<const char*>(value), size);
  return out;
}

core::Result<std::string> read_content(archive* tar, int64_t max_bytes, const std::string& where,
                                       const std::string& path) {
  std::string out;
  std::vector<char> buf(kChunk);
  for (;;) {
    la_ssize_t n = archive_read_data(tar, buf.data(), buf.size());
    if (n < 0)
      return core::make_error(where, "cannot read '" + path + "': " + oci::archive_error(tar));
    if (n == 0) return out;
    if (static_cast<int64_t>(out.size()) + n > max_bytes)
      return core::make_error(
          where, "'" + path + "' is larger than " + std::to_string(max_bytes) + " bytes");
    out.append(buf.data(), static_cast<size_t>(n));
  }
}

// Reads the compressed blob from `fd` and walks the tar inside it.
core::Result<LayerDigests> consume(int fd, Codec codec, const LayerVisitor& visit,
                                   const std::string& where) {
  oci::ScopedUtf8Locale locale;  // member names are UTF-8 whatever LANG says
  DISTILL_TRY(locale.status());
  oci::ArchiveReader raw(archive_read_new());
  if (!raw) return core::make_error(where, "cannot create an archive reader");
  if (codec == Codec::kGzip) archive_read_support_filter_gzip(raw.get());
  if (codec == Codec::kZstd) archive_read_support_filter_zstd(raw.get());
  archive_read_support_format_raw(raw.get());
  archive_entry* entry = nullptr;
  if (archive_read_open_fd(raw.get(), fd, kChunk) != ARCHIVE_OK ||
      archive_read_next_header(raw.get(), &entry) != ARCHIVE_OK)
    return core::make_error(where, "cannot read the layer: " + oci::archive_error(raw.get()));
  // Filters are allowed, not required: plain bytes would pass through a
  // gzip-enabled reader unnoticed. The media type must tell the truth.
  if (archive_filter_code(raw.get(), 0) != filter_code(codec))
    return core::make_error(
        where, std::string("is not ") + codec_name(codec) + " although its media type says so",
        "the image is corrupt");

  Uncompressed source;
  source.raw = raw.get();
  oci::ArchiveReader tar(archive_read_new());
  if (!tar) return core::make_error(where, "cannot create an archive reader");
  archive_read_support_format_tar(tar.get());
  if (archive_read_open(tar.get(), &source, nullptr, read_callback, nullptr) != ARCHIVE_OK)
    return core::make_error(where, "is not a tar: " + oci::archive_error(tar.get()));
  for (;;) {
    int rc = archive_read_next_header(tar.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      return core::make_error(where, "cannot read the tar: " + oci::archive_error(tar.get()),
                              "the layer is corrupt");
    DISTILL_ASSIGN(LayerEntry e, to_entry(entry, where));
    if (e.path.empty()) continue;  // "./": the root folder itself
    const std::string& path = e.path;
    ContentReader content = [&tar, &where, &path](int64_t max_bytes) {
      return read_content(tar.get(), max_bytes, where, path);
    };
    DISTILL_TRY(visit(e, content));
  }
  // The tar reader stops at the end-of-archive blocks; the rest (padding up
  // to the record size) belongs to the diff_id and the size too.
  for (;;) {
    la_ssize_t n = source.pull();
    if (n < 0)
      return core::make_error(where, "cannot decompress: " + oci::archive_error(raw.get()));
    if (n == 0) break;
  }
  LayerDigests out;
  DISTILL_ASSIGN(out.diff_id, oci::Digest::from_hex(source.hash.hex_digest()));
  out.uncompressed_size = source.bytes;
  return out;
}

void drain(int fd) {
  std::vector<char> buf(kChunk);
  for (;;) {
    if (core::read_some(fd, buf.data(), buf.size()) <= 0) return;
  }
}

// Joins the producer thread however read_layer returns. The read end is
// closed first, so a producer blocked in send() fails with EPIPE and ends.
class ProducerGuard {
 public:
  ProducerGuard(core::UniqueFd& read_end, std::thread& thread)
      : read_end_(read_end), thread_(thread) {}
  ~ProducerGuard() { finish(); }
  ProducerGuard(const ProducerGuard&) = delete;
  ProducerGuard& operator=(const ProducerGuard&) = delete;
  void finish() {
    read_end_.reset();
    if (thread_.joinable()) thread_.join();
  }

 private:
  core::UniqueFd& read_end_;
  std::thread& thread_;
};

}  // namespace

std::string_view file_type_name(FileType type) {
  switch (type) {
    case FileType::kRegular:
      return "file";
    case FileType::kDirectory:
      return "directory";
    case FileType::kSymlink:
      return "symlink";
    case FileType::kCharDevice:
      return "char-device";
    case FileType::kBlockDevice:
      return "block-device";
    case FileType::kFifo:
      return "fifo";
    case FileType::kSocket:
      return "socket";
  }
  return "unknown";
}

core::Result<std::string> normalize_member_path(std::string_view name) {
  auto out = core::normalize_relative_path(name);
  if (!out) return core::make_error("", "contains '..'", "the layer is unsafe");
  return std::move(*out);
}

core::Result<LayerDigests> read_layer(oci::ImageReader& reader, const oci::Descriptor& layer,
                                      const LayerVisitor& visit) {
  const std::string where = "layer " + layer.digest.str();
  DISTILL_ASSIGN(Codec codec, codec_for(layer, where));
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return core::make_error(where, std::string("socketpair: ") + std::strerror(errno));
  core::UniqueFd read_end(fds[0]);
  core::UniqueFd write_end(fds[1]);
  core::Status produced;
  std::thread producer;
  try {
    producer = std::thread([&reader, &layer, &produced, out = std::move(write_end)]() mutable {
      produced = reader.stream_blob(
          layer, [&out](std::string_view chunk) { return send_chunk(out.get(), chunk); });
      out.reset();  // EOF for the consumer
    });
  } catch (const std::system_error& e) {
    return core::make_error(where, std::string("cannot start a reader thread: ") + e.what());
  }
  ProducerGuard guard(read_end, producer);
  auto consumed = consume(read_end.get(), codec, visit, where);
  // Let the producer reach the end of the blob even when reading stopped
  // early: a tampered blob is then reported as the digest mismatch it is,
  // not as whatever parse error its bytes caused.
  drain(read_end.get());
  guard.finish();
  if (!produced.ok()) return produced.error();
  return consumed;
}

}  // namespace distill::image
