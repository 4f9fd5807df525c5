#include "image/layer_stream.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
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

FileType file_type(oci::TarType t) {
  switch (t) {
    case oci::TarType::kDirectory:
      return FileType::kDirectory;
    case oci::TarType::kSymlink:
      return FileType::kSymlink;
    case oci::TarType::kCharDevice:
      return FileType::kCharDevice;
    case oci::TarType::kBlockDevice:
      return FileType::kBlockDevice;
    case oci::TarType::kFifo:
      return FileType::kFifo;
    case oci::TarType::kSocket:
      return FileType::kSocket;
    case oci::TarType::kRegular:
    case oci::TarType::kHardlink:
      break;
  }
  return FileType::kRegular;  // a hard link is a regular file with hardlink_to set
}

core::Result<LayerEntry> to_entry(const oci::TarMember& m, const oci::TarEntryReader& tar) {
  constexpr const char* kUnsafe = "the layer is corrupt or unsafe";
  LayerEntry out;
  auto path = normalize_member_path(m.name);
  if (!path.ok()) return tar.member_error(path.error().what, kUnsafe);
  out.path = std::move(*path);
  out.type = file_type(m.type);
  if (m.type == oci::TarType::kHardlink) {
    auto link = normalize_member_path(m.link);
    if (!link.ok()) return tar.member_error("links to a name that " + link.error().what, kUnsafe);
    if (link->empty()) return tar.member_error("is a hard link to the root", kUnsafe);
    out.hardlink_to = std::move(*link);
  }
  out.mode = m.mode;
  out.uid = m.uid;
  out.gid = m.gid;
  out.mtime = m.mtime;
  if (m.type == oci::TarType::kRegular) out.size = m.size;
  if (m.type == oci::TarType::kSymlink) out.link_target = m.link;
  out.xattrs = m.xattrs;
  return out;
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
  oci::TarEntryReader members(tar.get(), where);
  oci::TarMember m;
  for (;;) {
    DISTILL_ASSIGN(bool more, members.next(m));
    if (!more) break;
    DISTILL_ASSIGN(LayerEntry e, to_entry(m, members));
    if (e.path.empty()) continue;  // "./": the root folder itself
    ContentReader content{
        [&members](int64_t max_bytes) {
          return members.read_content(static_cast<uint64_t>(std::max<int64_t>(max_bytes, 0)));
        },
        [&members](const oci::ContentSink& sink) { return members.copy_content(sink); }};
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

ContentReader ContentReader::of(std::string data) {
  auto shared = std::make_shared<const std::string>(std::move(data));
  return {[shared](int64_t max_bytes) -> core::Result<std::string> {
            if (static_cast<int64_t>(shared->size()) > max_bytes)
              return core::make_error("content",
                                      "is larger than " + std::to_string(max_bytes) + " bytes");
            return *shared;
          },
          [shared](const oci::ContentSink& sink) { return sink(*shared); }};
}

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
