#include "debian/deb_file.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "core/lines.hpp"
#include "debian/deb822.hpp"
#include "oci/archive_util.hpp"
#include "oci/content_pack.hpp"
#include "oci/tar_entry_reader.hpp"

namespace distill::debian {
namespace {

using oci::ArchiveReader;
using oci::EntryType;
using oci::FsEntry;

constexpr size_t kChunk = size_t{1} << 16;
// Grown as the bytes arrive, so a header that lies about a size costs no more
// memory than the data that really follows it.
constexpr uint64_t kMaxUpfrontReserve = uint64_t{16} << 20;
constexpr uint64_t kMaxDebianBinaryBytes = 4096;
// deb(5) lets '_'-prefixed members sit between the three known ones; a package
// with more than this many is not a real package.
constexpr int kMaxSkippedMembers = 16;
constexpr const char* kHostileHint =
    "the package is corrupt or hostile; distill will not unpack it";

constexpr std::array<std::string_view, 6> kScriptNames = {"preinst", "postinst", "prerm",
                                                          "postrm",  "config",   "triggers"};

struct Compression {
  std::string_view suffix;
  int filter;
  bool allowed_for_control;
};

// deb(5): control.tar may be plain, gzip, xz or zstd; data.tar also bzip2 and lzma.
constexpr std::array<Compression, 6> kCompressions = {{
    {"", ARCHIVE_FILTER_NONE, true},
    {".gz", ARCHIVE_FILTER_GZIP, true},
    {".xz", ARCHIVE_FILTER_XZ, true},
    {".zst", ARCHIVE_FILTER_ZSTD, true},
    {".bz2", ARCHIVE_FILTER_BZIP2, false},
    {".lzma", ARCHIVE_FILTER_LZMA, false},
}};

struct Context {
  std::string_view name;
  const DebLimits& limits;
  const std::string& spill_dir;  // "" keeps every file's content in memory
  uint64_t entries = 0;
  bool control_only = false;  // stop after control.tar (read_deb_control)

  core::Error error(std::string_view member, std::string what, std::string hint = {}) const {
    std::string where(name);
    if (!member.empty()) where.append(": ").append(member);
    return core::make_error(std::move(where), std::move(what), std::move(hint));
  }
};

// The member's compression, or null when `member` is not "<base>.tar<suffix>".
const Compression* member_compression(std::string_view member, std::string_view base,
                                      bool is_control) {
  if (!member.starts_with(base)) return nullptr;
  std::string_view suffix = member.substr(base.size());
  for (const Compression& c : kCompressions)
    if (suffix == c.suffix && (c.allowed_for_control || !is_control)) return &c;
  return nullptr;
}

// Feeds the current member of the outer ar reader to an inner reader, so that a
// member is decompressed as it streams past instead of being copied first.
struct MemberStream {
  archive* outer;
  std::vector<char> buf = std::vector<char>(kChunk);

  static la_ssize_t read(archive* inner, void* self, const void** out) {
    auto* s = static_cast<MemberStream*>(self);
    la_ssize_t n = archive_read_data(s->outer, s->buf.data(), s->buf.size());
    if (n < 0) {
      archive_set_error(inner, EIO, "%s", oci::archive_error(s->outer).c_str());
      return -1;
    }
    *out = s->buf.data();
    return n;
  }
};

// Reads what is left of the current outer member, so that a file cut short
// inside a member is an error even when the tar inside ended early.
core::Status drain_member(archive* outer, const Context& ctx, std::string_view member) {
  std::vector<char> buf(kChunk);
  for (;;) {
    la_ssize_t n = archive_read_data(outer, buf.data(), buf.size());
    if (n == 0) return core::Status::Ok();
    if (n < 0)
      return ctx.error(member, "cannot read: " + oci::archive_error(outer),
                       "the file is truncated or corrupt");
  }
}

// Reads the `size` bytes of the current entry, growing the buffer as they arrive.
core::Result<std::string> read_entry_data(archive* a, uint64_t size, const Context& ctx,
                                          std::string_view member, std::string_view entry) {
  std::string out;
  out.reserve(static_cast<size_t>(std::min(size, kMaxUpfrontReserve)));
  std::vector<char> buf(kChunk);
  while (out.size() < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - out.size()));
    la_ssize_t n = archive_read_data(a, buf.data(), want);
    if (n < 0)
      return ctx.error(member,
                       "cannot read " + oci::quote_name(entry) + ": " + oci::archive_error(a),
                       "the file is truncated or corrupt");
    if (n == 0)
      return ctx.error(member, oci::quote_name(entry) + " ends before its stated size",
                       "the file is truncated or corrupt");
    out.append(buf.data(), static_cast<size_t>(n));
  }
  return out;
}

// Opens a tar reader over the current outer member and checks that the
// compression it finds is the one the member's name announces: dpkg picks the
// decompressor by name, so a mismatch is a package dpkg would not read.
core::Result<ArchiveReader> open_member_tar(MemberStream& stream, const Compression& compression,
                                            const Context& ctx, std::string_view member) {
  ArchiveReader a(archive_read_new());
  if (!a) return ctx.error(member, "cannot create an archive reader");
  // Only the compressions deb(5) allows, and only built-in ones: the "all"
  // set would also run external programs (lrzip, lzop, ...) on package bytes.
  struct {
    int (*enable)(archive*);
    const char* what;
  } const filters[] = {{archive_read_support_filter_gzip, "gzip"},
                       {archive_read_support_filter_xz, "xz"},
                       {archive_read_support_filter_zstd, "zstd"},
                       {archive_read_support_filter_bzip2, "bzip2"},
                       {archive_read_support_filter_lzma, "lzma"}};
  for (const auto& f : filters) {
    if (f.enable(a.get()) != ARCHIVE_OK)
      return ctx.error(member,
                       std::string("this libarchive has no built-in ") + f.what + " support",
                       "install a libarchive built with it");
  }
  archive_read_support_format_tar(a.get());
  if (archive_read_open(a.get(), &stream, nullptr, &MemberStream::read, nullptr) != ARCHIVE_OK)
    return ctx.error(member, "cannot read: " + oci::archive_error(a.get()),
                     "the file is truncated or corrupt");
  int filters_found = archive_filter_count(a.get());
  int expected = compression.filter == ARCHIVE_FILTER_NONE ? 1 : 2;
  if (filters_found != expected || archive_filter_code(a.get(), 0) != compression.filter) {
    const char* filter = archive_filter_name(a.get(), 0);
    std::string found = filters_found <= 1 ? "uncompressed data"
                        : filters_found == 2
                            ? std::string("data compressed with ") + (filter ? filter : "?")
                            : "data compressed more than once";
    return ctx.error(member, "holds " + found + ", which its name does not announce", kHostileHint);
  }
  return a;
}

// Next tar header; false at the end. The entry limit spans both tars.
core::Result<bool> next_tar_entry(oci::TarEntryReader& tar, oci::TarMember& m, Context& ctx,
                                  std::string_view member) {
  DISTILL_ASSIGN(bool more, tar.next(m));
  if (!more) return false;
  if (++ctx.entries > ctx.limits.max_entries)
    return ctx.error(member, "has more than " + std::to_string(ctx.limits.max_entries) + " entries",
                     kHostileHint);
  return true;
}

oci::TarEntryReader tar_reader(archive* a, const Context& ctx, std::string_view member) {
  // Warnings count as errors: they mean libarchive had to guess (e.g. at a
  // name's encoding), and dpkg must read the package as distill does.
  return oci::TarEntryReader(a, ctx.error(member, "").where, {.warnings_are_errors = true});
}

// "./", ".", "" and the like: the tar's own top folder.
bool is_root(std::string_view raw) {
  return raw.find_first_not_of("./") == std::string_view::npos &&
         raw.find("..") == std::string_view::npos;
}

core::Result<std::string> entry_path(std::string_view raw, const Context& ctx,
                                     std::string_view member) {
  auto path = oci::normalize_layer_path(raw);
  if (!path.ok()) {
    // Keep the layer's own explanation for names that are merely unsupported
    // (".wh.*", not UTF-8); a name reaching outside the root is an attack.
    bool unsupported_only = !raw.starts_with('/') && !path.error().hint.empty();
    std::string hint = unsupported_only ? path.error().hint : kHostileHint;
    return ctx.error(member, "entry " + oci::quote_name(raw) + " " + path.error().what,
                     std::move(hint));
  }
  return std::move(path).value();
}

// ---- debian-binary ----

core::Status check_debian_binary(std::string_view text, const Context& ctx) {
  // deb(5): "2.0\n"; readers accept any 2.x and ignore further lines.
  std::string_view line = text.substr(0, text.find('\n'));
  size_t dot = line.find('.');
  std::string_view major = line.substr(0, dot);
  std::string_view minor = dot == std::string_view::npos ? "" : line.substr(dot + 1);
  auto digits = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  std::string shown(line.substr(0, 32));
  if (!digits(major) || !digits(minor) || text.find('\n') == std::string_view::npos)
    return ctx.error("debian-binary", "holds " + oci::quote_name(shown) + ", not a format version",
                     "a .deb's debian-binary member holds \"2.0\"");
  if (major != "2")
    return ctx.error("debian-binary", "format version " + shown + " is not supported",
                     "distill reads .deb format 2.x");
  return core::Status::Ok();
}

// ---- control.tar ----

core::Status parse_conffiles(const std::string& text, const Context& ctx, std::string_view member,
                             DebContents& out) {
  for (std::string_view line : core::lines(text)) {
    while (!line.empty() && std::string_view(" \t\r").find(line.back()) != std::string_view::npos)
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    // deb-conffiles(5): "[flag ]/path"; the one flag, remove-on-upgrade, names
    // a file that is not in the package.
    if (line.starts_with("remove-on-upgrade ")) continue;
    if (line.front() != '/')
      return ctx.error(
          member, "conffiles lists " + oci::quote_name(line) + ", which is not an absolute path",
          kHostileHint);
    DISTILL_ASSIGN(std::string path,
                   entry_path(line.substr(1), ctx, std::string(member) + ": conffiles"));
    out.conffiles.push_back(std::move(path));
  }
  return core::Status::Ok();
}

core::Status read_control_tar(archive* a, Context& ctx, std::string_view member, DebContents& out) {
  std::set<std::string> scripts;
  std::map<std::string, std::string> files;  // control, md5sums, conffiles
  oci::TarEntryReader tar = tar_reader(a, ctx, member);
  oci::TarMember m;
  for (;;) {
    DISTILL_ASSIGN(bool more, next_tar_entry(tar, m, ctx, member));
    if (!more) break;
    std::string_view raw = m.name;
    if (is_root(raw)) continue;
    DISTILL_ASSIGN(std::string path, entry_path(raw, ctx, member));
    if (std::find(kScriptNames.begin(), kScriptNames.end(), path) != kScriptNames.end()) {
      if (!scripts.insert(path).second)
        return ctx.error(member, oci::quote_name(raw) + " appears twice", kHostileHint);
      // dpkg-deb allows a symlink here; its text is then unknown, which the
      // effects report as a script they could not read.
      if (m.type != oci::TarType::kRegular) continue;
      if (static_cast<uint64_t>(m.size) > ctx.limits.max_control_file_bytes)
        return ctx.error(member, oci::quote_name(raw) + " is larger than the control file limit",
                         kHostileHint);
      DISTILL_ASSIGN(out.script_text[path], tar.read_content(static_cast<uint64_t>(m.size)));
      continue;
    }
    if (path != "control" && path != "md5sums" && path != "conffiles") continue;  // shlibs, ...
    if (m.type != oci::TarType::kRegular)
      return ctx.error(member,
                       oci::quote_name(raw) + " is a " + std::string(oci::tar_type_name(m.type)) +
                           ", not a regular file",
                       kHostileHint);
    if (files.count(path) != 0)
      return ctx.error(member, oci::quote_name(raw) + " appears twice", kHostileHint);
    if (static_cast<uint64_t>(m.size) > ctx.limits.max_control_file_bytes)
      return ctx.error(member,
                       oci::quote_name(raw) + " states a size of " + std::to_string(m.size) +
                           " bytes, more than the limit of " +
                           std::to_string(ctx.limits.max_control_file_bytes),
                       kHostileHint);
    DISTILL_ASSIGN(files[path], tar.read_content(static_cast<uint64_t>(m.size)));
  }
  auto control = files.find("control");
  if (control == files.end())
    return ctx.error(member, "has no ./control file", "every .deb describes itself in ./control");
  if (control->second.empty()) return ctx.error(member, "./control is empty", kHostileHint);
  out.control = std::move(control->second);
  out.md5sums = std::move(files["md5sums"]);
  DISTILL_TRY(parse_conffiles(files["conffiles"], ctx, member, out));
  for (std::string_view script : kScriptNames)
    if (scripts.count(std::string(script)) != 0) out.maintainer_scripts.emplace_back(script);
  return core::Status::Ok();
}

// ---- data.tar ----

// Turns data.tar into layer entries, refusing anything that could place a file
// outside the image root when unpacked in archive order.
class DataTarReader {
 public:
  // With a `pack`, every file's content goes there and entries refer to it.
  DataTarReader(archive* a, Context& ctx, std::string_view member, std::vector<FsEntry>& out,
                oci::ContentPack* pack)
      : tar_(tar_reader(a, ctx, member)), ctx_(ctx), member_(member), out_(out), pack_(pack) {}

  core::Status run() {
    oci::TarMember m;
    for (;;) {
      DISTILL_ASSIGN(bool more, next_tar_entry(tar_, m, ctx_, member_));
      if (!more) return core::Status::Ok();
      DISTILL_TRY(add(m));
    }
  }

 private:
  struct Seen {
    EntryType type;
    std::ptrdiff_t index;  // into out_; -1 for a folder only implied by a deeper path
  };

  core::Error fail(std::string_view raw, std::string what, std::string hint = kHostileHint) const {
    return ctx_.error(member_, "entry " + oci::quote_name(raw) + " " + what, std::move(hint));
  }

  core::Status add(const oci::TarMember& m) {
    std::string_view raw = m.name;
    if (is_root(raw)) {
      if (m.type != oci::TarType::kDirectory)
        return fail(raw,
                    "names the package root but is a " + std::string(oci::tar_type_name(m.type)));
      return core::Status::Ok();
    }
    DISTILL_ASSIGN(std::string path, entry_path(raw, ctx_, member_));
    DISTILL_ASSIGN(EntryType type, entry_type(m));
    FsEntry e;
    e.type = type;
    e.mode = m.mode;
    e.uid = m.uid;
    e.gid = m.gid;
    e.mtime = m.mtime;
    DISTILL_TRY(check_parents(path, raw));
    auto dup = seen_.find(path);
    if (dup != seen_.end()) {
      if (dup->second.type != EntryType::kDirectory || type != EntryType::kDirectory)
        return fail(raw, dup->second.type == type
                             ? "appears twice"
                             : "appears twice, as a " +
                                   std::string(entry_type_name(dup->second.type)) + " and as a " +
                                   std::string(entry_type_name(type)));
      if (dup->second.index >= 0) {  // tar would apply the later folder's metadata
        FsEntry& earlier = out_[static_cast<size_t>(dup->second.index)];
        earlier.mode = e.mode;
        earlier.uid = e.uid;
        earlier.gid = e.gid;
        earlier.mtime = e.mtime;
        return core::Status::Ok();
      }
    }
    DISTILL_TRY(charge(path.size(), raw));
    e.path = std::move(path);
    if (type == EntryType::kSymlink) DISTILL_TRY(read_symlink(m, e));
    if (type == EntryType::kHardlink) DISTILL_TRY(read_hardlink(m, e));
    if (type == EntryType::kRegular) DISTILL_TRY(read_content(m, e));
    if (auto valid = oci::validate_entry(e); !valid.ok())
      return fail(raw, valid.error().what,
                  valid.error().hint.empty() ? kHostileHint : valid.error().hint);
    seen_[e.path] = Seen{type, static_cast<std::ptrdiff_t>(out_.size())};
    out_.push_back(std::move(e));
    return core::Status::Ok();
  }

  core::Result<EntryType> entry_type(const oci::TarMember& m) const {
    switch (m.type) {
      case oci::TarType::kHardlink:
        return EntryType::kHardlink;
      case oci::TarType::kRegular:
        return EntryType::kRegular;
      case oci::TarType::kDirectory:
        return EntryType::kDirectory;
      case oci::TarType::kSymlink:
        return EntryType::kSymlink;
      default:
        return fail(m.name, "is a " + std::string(oci::tar_type_name(m.type)),
                    "images hold only files, folders and links; the container runtime provides "
                    "/dev");
    }
  }

  // Every folder above `path` must be a folder: an earlier symlink there would
  // send this entry wherever the link points, outside the image included.
  core::Status check_parents(const std::string& path, std::string_view raw) {
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      std::string_view parent(path.data(), slash);
      auto it = seen_.find(parent);
      if (it == seen_.end()) {
        seen_.emplace(std::string(parent), Seen{EntryType::kDirectory, -1});
        continue;
      }
      if (it->second.type == EntryType::kSymlink)
        return fail(
            raw,
            "lies under " + oci::quote_name(parent) + ", a symlink to " +
                oci::quote_name(out_[static_cast<size_t>(it->second.index)].link_target) +
                " earlier in the archive",
            "a path through a symlink could write outside the image; " + std::string(kHostileHint));
      if (it->second.type != EntryType::kDirectory)
        return fail(raw, "lies under " + oci::quote_name(parent) + ", which is a " +
                             std::string(entry_type_name(it->second.type)));
    }
    return core::Status::Ok();
  }

  core::Status charge(uint64_t bytes, std::string_view raw) {
    if (bytes > ctx_.limits.max_data_bytes - bytes_)
      return fail(raw, "takes the package past the limit of " +
                           std::to_string(ctx_.limits.max_data_bytes) + " bytes of content");
    bytes_ += bytes;
    return core::Status::Ok();
  }

  core::Status read_symlink(const oci::TarMember& m, FsEntry& e) {
    if (m.link.empty()) return fail(m.name, "is a symlink without a target");
    e.link_target = m.link;
    return charge(e.link_target.size(), m.name);
  }

  core::Status read_hardlink(const oci::TarMember& m, FsEntry& e) {
    std::string_view raw = m.name;
    std::string_view target_raw = m.link;
    if (m.size > 0) return fail(raw, "is a hardlink that carries data");
    auto target = oci::normalize_layer_path(target_raw);
    if (!target.ok())
      return fail(raw, "is a hardlink to " + oci::quote_name(target_raw) + ", which " +
                           target.error().what);
    auto it = seen_.find(*target);
    if (it == seen_.end() || it->second.index < 0)
      return fail(raw, "is a hardlink to " + oci::quote_name(target_raw) +
                           ", which is not an earlier entry of the archive");
    if (it->second.type != EntryType::kRegular && it->second.type != EntryType::kHardlink)
      return fail(raw,
                  "is a hardlink to " + oci::quote_name(target_raw) + ", a " +
                      std::string(entry_type_name(it->second.type)),
                  "hardlinks may only point at files; " + std::string(kHostileHint));
    e.link_target = std::move(target).value();
    return charge(e.link_target.size(), raw);
  }

  core::Status read_content(const oci::TarMember& m, FsEntry& e) {
    std::string_view raw = m.name;
    int64_t size = m.size;
    if (static_cast<uint64_t>(size) > ctx_.limits.max_data_bytes - bytes_)
      return fail(raw, "states a size of " + std::to_string(size) +
                           " bytes, which takes the package past the limit of " +
                           std::to_string(ctx_.limits.max_data_bytes) + " bytes of content");
    bytes_ += static_cast<uint64_t>(size);
    if (pack_ == nullptr) {
      DISTILL_ASSIGN(e.data, tar_.read_content(static_cast<uint64_t>(size)));
      return core::Status::Ok();
    }
    DISTILL_ASSIGN(e.source_range, tar_.pack_content(*pack_));
    e.source_path = pack_->path();
    if (e.source_range->size != static_cast<uint64_t>(size))
      return fail(raw, "holds other than the " + std::to_string(size) + " bytes it states",
                  "the file is truncated or corrupt");
    return core::Status::Ok();
  }

  oci::TarEntryReader tar_;
  Context& ctx_;
  std::string_view member_;
  std::vector<FsEntry>& out_;
  oci::ContentPack* pack_;
  std::map<std::string, Seen, std::less<>> seen_;
  uint64_t bytes_ = 0;
};

// ---- the ar archive ----

enum class Stage { kDebianBinary, kControl, kData, kDone };

core::Status read_tar_member(archive* outer, Stage stage, const std::string& name, Context& ctx,
                             DebContents& out) {
  bool is_control = stage == Stage::kControl;
  std::string_view base = is_control ? "control.tar" : "data.tar";
  const Compression* compression = member_compression(name, base, is_control);
  if (compression == nullptr)
    return ctx.error(
        "", "has member " + oci::quote_name(name) + " where " + std::string(base) + " belongs",
        "deb(5): a .deb holds debian-binary, control.tar[.gz|.xz|.zst] and "
        "data.tar[.gz|.xz|.zst|.bz2|.lzma], in that order");
  MemberStream stream{outer};
  DISTILL_ASSIGN(ArchiveReader tar, open_member_tar(stream, *compression, ctx, name));
  if (is_control) {
    DISTILL_TRY(read_control_tar(tar.get(), ctx, name, out));
    out.control_member = name;
  } else {
    std::optional<oci::ContentPack> pack;
    if (!ctx.spill_dir.empty()) {
      DISTILL_ASSIGN(pack, oci::ContentPack::create(ctx.spill_dir));
    }
    DISTILL_TRY(DataTarReader(tar.get(), ctx, name, out.entries, pack ? &*pack : nullptr).run());
    if (pack) DISTILL_TRY(pack->finish());
    out.data_member = name;
  }
  return drain_member(outer, ctx, name);
}

core::Result<DebContents> read_package(archive* outer, Context& ctx) {
  DebContents out;
  Stage stage = Stage::kDebianBinary;
  int skipped = 0;
  while (stage != Stage::kDone) {
    archive_entry* member = nullptr;
    int rc = archive_read_next_header(outer, &member);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) {
      if (stage == Stage::kDebianBinary)
        return ctx.error("", "is not a .deb package: " + oci::archive_error(outer),
                         "a .deb is an ar archive, starting with \"!<arch>\"");
      return ctx.error("", "cannot read the ar archive: " + oci::archive_error(outer),
                       "the file is truncated or corrupt");
    }
    const char* raw_name = archive_entry_pathname(member);
    if (raw_name == nullptr)
      return ctx.error("", "has a member without a readable name", kHostileHint);
    std::string name = raw_name;
    la_int64_t size = archive_entry_size(member);
    if (size < 0 || static_cast<uint64_t>(size) > ctx.limits.max_member_bytes)
      return ctx.error("",
                       "member " + oci::quote_name(name) + " states a size of " +
                           std::to_string(size) + " bytes, more than the limit of " +
                           std::to_string(ctx.limits.max_member_bytes),
                       kHostileHint);
    if (stage == Stage::kDebianBinary) {
      if (name != "debian-binary")
        return ctx.error("",
                         "starts with member " + oci::quote_name(name) + ", not 'debian-binary'",
                         "is it a .deb package?");
      if (static_cast<uint64_t>(size) > kMaxDebianBinaryBytes)
        return ctx.error(name, "is " + std::to_string(size) + " bytes long", kHostileHint);
      DISTILL_ASSIGN(std::string text,
                     read_entry_data(outer, static_cast<uint64_t>(size), ctx, name, name));
      DISTILL_TRY(check_debian_binary(text, ctx));
      stage = Stage::kControl;
      continue;
    }
    // deb(5) reserves '_'-prefixed names for members that readers may skip.
    if (name.starts_with('_')) {
      if (++skipped > kMaxSkippedMembers)
        return ctx.error("",
                         "has more than " + std::to_string(kMaxSkippedMembers) + " extra members",
                         kHostileHint);
      continue;
    }
    DISTILL_TRY(read_tar_member(outer, stage, name, ctx, out));
    // Members after data.tar are ignored, as dpkg does (deb(5)).
    stage = stage == Stage::kControl && !ctx.control_only ? Stage::kData : Stage::kDone;
  }
  switch (stage) {
    case Stage::kDebianBinary:
      return ctx.error("", "has no debian-binary member", "the file is empty or not a .deb");
    case Stage::kControl:
      return ctx.error("", "has no control.tar member", "the file is truncated or not a .deb");
    case Stage::kData:
      return ctx.error("", "has no data.tar member", "the file is truncated or not a .deb");
    case Stage::kDone:
      break;
  }
  return out;
}

core::Result<ArchiveReader> new_ar_reader(const Context& ctx) {
  ArchiveReader a(archive_read_new());
  if (!a) return ctx.error("", "cannot create an archive reader");
  // No filters: a .deb is never compressed as a whole.
  archive_read_support_format_ar(a.get());
  return a;
}

core::Result<DebContents> read_deb_file(const std::string& path, Context& ctx) {
  // libarchive decodes names through the thread's locale; pin it to UTF-8.
  oci::ScopedUtf8Locale locale;
  DISTILL_TRY(locale.status());
  DISTILL_ASSIGN(ArchiveReader a, new_ar_reader(ctx));
  if (archive_read_open_filename(a.get(), path.c_str(), kChunk) != ARCHIVE_OK) {
    int err = archive_errno(a.get());
    return ctx.error("",
                     "cannot open " + oci::quote_name(path) + ": " +
                         (err > 0 ? std::string(std::strerror(err)) : oci::archive_error(a.get())));
  }
  return read_package(a.get(), ctx);
}

}  // namespace

core::Result<DebContents> read_deb(const std::string& path, std::string_view name_for_errors,
                                   const DebLimits& limits, const std::string& spill_dir) {
  Context ctx{name_for_errors, limits, spill_dir};
  return read_deb_file(path, ctx);
}

core::Result<DebContents> read_deb_control(const std::string& path,
                                           std::string_view name_for_errors,
                                           const DebLimits& limits) {
  const std::string no_spill;
  Context ctx{name_for_errors, limits, no_spill};
  ctx.control_only = true;
  return read_deb_file(path, ctx);
}

core::Result<DebContents> read_deb_bytes(std::string_view data, std::string_view name_for_errors,
                                         const DebLimits& limits) {
  oci::ScopedUtf8Locale locale;
  DISTILL_TRY(locale.status());
  const std::string no_spill;
  Context ctx{name_for_errors, limits, no_spill};
  DISTILL_ASSIGN(ArchiveReader a, new_ar_reader(ctx));
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK)
    return ctx.error("", "is not a .deb package: " + oci::archive_error(a.get()),
                     "a .deb is an ar archive, starting with \"!<arch>\"");
  return read_package(a.get(), ctx);
}

core::Status check_identity(const DebContents& deb, std::string_view where, std::string_view name,
                            std::string_view version, std::string_view architecture) {
  DISTILL_ASSIGN(Deb822Document doc,
                 Deb822Document::parse(deb.control, std::string(where) + ": ./control"));
  if (doc.paragraphs().empty())
    return core::make_error(std::string(where), "./control has no fields", kHostileHint);
  const Paragraph& p = doc.paragraphs().front();
  const std::pair<std::string_view, std::string_view> expected[] = {
      {"Package", name}, {"Version", version}, {"Architecture", architecture}};
  for (const auto& [field, want] : expected) {
    std::string_view got = p.get_or(field);
    if (got != want)
      return core::make_error(
          std::string(where),
          "./control says " + std::string(field) + " " + oci::quote_name(got) +
              " but the index entry says " + oci::quote_name(want),
          "the repository serves one package under another's name; " + std::string(kHostileHint));
  }
  return core::Status::Ok();
}

}  // namespace distill::debian
