#include "oci/entry_content.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "core/fd_io.hpp"
#include "core/sha256.hpp"

namespace distill::oci {
namespace {

constexpr size_t kContentChunk = size_t{1} << 16;

core::Error content_error(const FsEntry& e, std::string what, std::string hint = {}) {
  return core::make_error("/" + e.path, std::move(what), std::move(hint));
}

core::Result<std::string> digest_content(const FsEntry& e, const ::evp_md_st* md) {
  core::Sha256 h(md);
  DISTILL_TRY(stream_content(e, [&h](std::string_view chunk) {
    h.update(chunk);
    return core::Status::Ok();
  }));
  return h.hex_digest();
}

}  // namespace

core::Result<ContentStream> ContentStream::open(const FsEntry& e) {
  if (e.type != EntryType::kRegular) return content_error(e, "not a regular file");
  ContentStream s;
  s.entry_ = &e;
  if (e.source_path.empty()) {
    s.size_ = e.data.size();
    return s;
  }
  // Never through a symlink: a host file swapped for one after the walk
  // that listed it would put a file the user never named in the layer.
  // O_NONBLOCK: a FIFO in its place is refused below instead of blocking.
  s.fd_.reset(::open(e.source_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!s.fd_)
    return errno == ELOOP ? core::make_error(e.source_path, "is a symlink now",
                                             "it changed while the image was built")
                          : core::make_error(e.source_path, std::strerror(errno));
  struct stat st {};
  if (::fstat(s.fd_.get(), &st) != 0) return core::make_error(e.source_path, std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return core::make_error(e.source_path, "is not a regular file",
                            "layer content must come from regular files");
  if (e.source_range) {
    const ContentRange& r = *e.source_range;
    if (r.offset > static_cast<uint64_t>(st.st_size) ||
        r.size > static_cast<uint64_t>(st.st_size) - r.offset)
      return core::make_error(e.source_path,
                              "holds " + std::to_string(st.st_size) + " bytes, not the range " +
                                  std::to_string(r.offset) + "+" + std::to_string(r.size) +
                                  " of /" + e.path,
                              "the build's scratch folder was changed while it ran");
    s.ranged_ = true;
    s.offset_ = r.offset;
    s.size_ = r.size;
  } else {
    s.size_ = static_cast<uint64_t>(st.st_size);
  }
  return s;
}

core::Result<size_t> ContentStream::read(char* buf, size_t n) {
  const FsEntry& e = *entry_;
  uint64_t left = size_ - done_;
  if (!fd_) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(left, n));
    std::memcpy(buf, e.data.data() + done_, take);
    done_ += take;
    return take;
  }
  if (ranged_) {
    if (left == 0 || n == 0) return size_t{0};
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, n));
    ssize_t got;
    do {
      got = ::pread(fd_.get(), buf, want, static_cast<off_t>(offset_ + done_));
    } while (got < 0 && errno == EINTR);
    if (got < 0) return core::make_error(e.source_path, std::strerror(errno));
    if (got == 0)
      return core::make_error(e.source_path, "ends inside the content of /" + e.path,
                              "the build's scratch folder was changed while it ran");
    done_ += static_cast<uint64_t>(got);
    return static_cast<size_t>(got);
  }
  // A whole host file: the header already promised size() bytes, so a file
  // that changes length while it is read is an error, not a different layer.
  if (left == 0) {
    char extra = 0;
    ssize_t got = core::read_some(fd_.get(), &extra, 1);
    if (got < 0) return core::make_error(e.source_path, std::strerror(errno));
    if (got > 0) return core::make_error(e.source_path, "file grew while being read");
    return size_t{0};
  }
  if (n == 0) return size_t{0};
  size_t want = static_cast<size_t>(std::min<uint64_t>(left, n));
  ssize_t got = core::read_some(fd_.get(), buf, want);
  if (got < 0) return core::make_error(e.source_path, std::strerror(errno));
  if (got == 0) return core::make_error(e.source_path, "file shrank while being read");
  done_ += static_cast<uint64_t>(got);
  return static_cast<size_t>(got);
}

core::Result<uint64_t> content_size(const FsEntry& e) {
  DISTILL_ASSIGN(ContentStream s, ContentStream::open(e));
  return s.size();
}

core::Status stream_content(const FsEntry& e, const ContentSink& sink) {
  if (e.type == EntryType::kRegular && e.source_path.empty()) {
    // In memory already: no copy, still in bounded chunks.
    std::string_view rest = e.data;
    while (!rest.empty()) {
      size_t take = std::min(rest.size(), kContentChunk);
      DISTILL_TRY(sink(rest.substr(0, take)));
      rest.remove_prefix(take);
    }
    return core::Status::Ok();
  }
  DISTILL_ASSIGN(ContentStream s, ContentStream::open(e));
  // One buffer per thread, not per file: hashing thousands of files must not
  // churn the allocator. A sink never calls back in here.
  thread_local std::vector<char> buf(kContentChunk);
  for (;;) {
    DISTILL_ASSIGN(size_t n, s.read(buf.data(), buf.size()));
    if (n == 0) return core::Status::Ok();
    DISTILL_TRY(sink(std::string_view(buf.data(), n)));
  }
}

core::Result<std::string> read_content(const FsEntry& e, uint64_t max_bytes) {
  DISTILL_ASSIGN(ContentStream s, ContentStream::open(e));
  if (s.size() > max_bytes)
    return content_error(e, "larger than " + std::to_string(max_bytes) + " bytes");
  std::string out(static_cast<size_t>(s.size()), '\0');
  size_t at = 0;
  for (;;) {
    DISTILL_ASSIGN(size_t n, s.read(out.data() + at, out.size() - at));
    if (n == 0) break;
    at += n;
  }
  return out;
}

core::Result<std::string> read_content_prefix(const FsEntry& e, uint64_t n) {
  DISTILL_ASSIGN(ContentStream s, ContentStream::open(e));
  std::string out(static_cast<size_t>(std::min(n, s.size())), '\0');
  size_t at = 0;
  while (at < out.size()) {
    DISTILL_ASSIGN(size_t got, s.read(out.data() + at, out.size() - at));
    if (got == 0) break;
    at += got;
  }
  out.resize(at);
  return out;
}

core::Result<std::string> content_sha256(const FsEntry& e) {
  return digest_content(e, EVP_sha256());
}

core::Result<std::string> content_md5(const FsEntry& e) {
  return digest_content(e, EVP_md5());
}

core::Result<ContentView> ContentView::open(const FsEntry& e, uint64_t max_bytes) {
  ContentView v;
  if (e.type == EntryType::kRegular && e.source_path.empty()) {
    if (e.data.size() > max_bytes)
      return content_error(e, "larger than " + std::to_string(max_bytes) + " bytes");
    v.view_ = e.data;
    return v;
  }
  if (!e.source_range) {
    DISTILL_ASSIGN(v.owned_, read_content(e, max_bytes));
    v.view_ = v.owned_;
    return v;
  }
  DISTILL_ASSIGN(ContentStream s, ContentStream::open(e));  // checks the range
  if (s.size() > max_bytes)
    return content_error(e, "larger than " + std::to_string(max_bytes) + " bytes");
  if (s.size() == 0) return v;
  static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  uint64_t start = e.source_range->offset / page * page;
  uint64_t skip = e.source_range->offset - start;
  v.map_size_ = static_cast<size_t>(skip + s.size());
  v.map_ = ::mmap(nullptr, v.map_size_, PROT_READ, MAP_PRIVATE, s.fd(), static_cast<off_t>(start));
  if (v.map_ == MAP_FAILED) {
    v.map_ = nullptr;
    return core::make_error(e.source_path, std::string("cannot map: ") + std::strerror(errno));
  }
  v.view_ =
      std::string_view(static_cast<const char*>(v.map_) + skip, static_cast<size_t>(s.size()));
  return v;
}

ContentView::ContentView(ContentView&& o) noexcept {
  *this = std::move(o);
}

ContentView& ContentView::operator=(ContentView&& o) noexcept {
  if (this == &o) return *this;
  unmap();
  map_ = std::exchange(o.map_, nullptr);
  map_size_ = std::exchange(o.map_size_, 0);
  bool view_owned = !o.owned_.empty() && o.view_.data() == o.owned_.data();
  owned_ = std::move(o.owned_);
  view_ = view_owned ? std::string_view(owned_) : o.view_;
  o.view_ = {};
  return *this;
}

ContentView::~ContentView() {
  unmap();
}

void ContentView::unmap() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
  map_ = nullptr;
}

core::Result<bool> same_content(const FsEntry& a, const FsEntry& b) {
  if (a.source_path.empty() && b.source_path.empty()) return a.data == b.data;
  if (!a.source_path.empty() && a.source_path == b.source_path && a.source_range == b.source_range)
    return true;
  DISTILL_ASSIGN(ContentStream sa, ContentStream::open(a));
  DISTILL_ASSIGN(ContentStream sb, ContentStream::open(b));
  if (sa.size() != sb.size()) return false;
  std::vector<char> ba(kContentChunk), bb(kContentChunk);
  for (;;) {
    DISTILL_ASSIGN(size_t na, sa.read(ba.data(), ba.size()));
    size_t filled = 0;
    while (filled < na) {
      DISTILL_ASSIGN(size_t nb, sb.read(bb.data() + filled, na - filled));
      if (nb == 0) return false;
      filled += nb;
    }
    if (na == 0) return true;
    if (std::memcmp(ba.data(), bb.data(), na) != 0) return false;
  }
}

}  // namespace distill::oci
