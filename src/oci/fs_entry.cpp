#include "oci/fs_entry.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/file_util.hpp"
#include "core/strings.hpp"

namespace distill::oci {
namespace {

// Linux's PATH_MAX and NAME_MAX: longer names could not be unpacked anyway.
constexpr size_t kMaxPathLength = 4096;
constexpr size_t kMaxNameLength = 255;

core::Error path_error(std::string_view path, std::string what, std::string hint = {}) {
  return core::make_error("layer path '" + std::string(path) + "'", std::move(what),
                          std::move(hint));
}

}  // namespace

std::string_view entry_type_name(EntryType type) {
  switch (type) {
    case EntryType::kRegular:
      return "regular file";
    case EntryType::kDirectory:
      return "directory";
    case EntryType::kSymlink:
      return "symlink";
    case EntryType::kHardlink:
      return "hardlink";
  }
  return "unknown";
}

FsEntry FsEntry::file(std::string path, std::string data, uint32_t mode) {
  FsEntry e;
  e.path = std::move(path);
  e.data = std::move(data);
  e.mode = mode;
  return e;
}

FsEntry FsEntry::host_file(std::string path, std::string source_path, uint32_t mode) {
  FsEntry e;
  e.path = std::move(path);
  e.source_path = std::move(source_path);
  e.mode = mode;
  return e;
}

FsEntry FsEntry::directory(std::string path, uint32_t mode) {
  FsEntry e;
  e.path = std::move(path);
  e.type = EntryType::kDirectory;
  e.mode = mode;
  return e;
}

FsEntry FsEntry::symlink(std::string path, std::string target) {
  FsEntry e;
  e.path = std::move(path);
  e.type = EntryType::kSymlink;
  e.mode = 0777;
  e.link_target = std::move(target);
  return e;
}

FsEntry FsEntry::hardlink(std::string path, std::string target) {
  FsEntry e;
  e.path = std::move(path);
  e.type = EntryType::kHardlink;
  e.link_target = std::move(target);
  return e;
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

core::Result<std::string> normalize_layer_path(std::string_view path) {
  if (path.find('\0') != std::string_view::npos) return path_error(path, "contains a NUL byte");
  if (!path.empty() && path.front() == '/')
    return path_error(path, "is absolute", "layer paths are relative to the image root");
  if (!is_valid_utf8(path))
    return path_error(path, "is not valid UTF-8", "file names in images must be UTF-8");
  std::vector<std::string_view> parts = core::path_components(path);
  for (std::string_view part : parts) {
    if (part == "..") return path_error(path, "contains '..'");
    if (part.size() > kMaxNameLength)
      return path_error(path, "has a component longer than 255 bytes");
    if (part.starts_with(".wh."))
      return path_error(path, "uses the reserved prefix '.wh.'",
                        "OCI layers use .wh.* names to mark deletions");
  }
  if (parts.empty()) return path_error(path, "names the image root", "give a file or folder");
  std::string out = core::join(parts, "/");
  if (out.size() > kMaxPathLength) return path_error(path, "is longer than 4096 bytes");
  return out;
}

core::Status validate_entry(FsEntry& entry) {
  DISTILL_ASSIGN(entry.path, normalize_layer_path(entry.path));
  auto fail = [&](std::string what, std::string hint = {}) {
    return path_error(entry.path, std::move(what), std::move(hint));
  };
  if (entry.mode & ~07777u)
    return fail("mode " + std::to_string(entry.mode) + " has bits beyond 07777",
                "give permission bits only; device nodes and FIFOs are not supported");
  if (entry.mtime < 0) return fail("has a modification time before 1970");
  bool has_content = !entry.data.empty() || !entry.source_path.empty();
  if (entry.type != EntryType::kRegular && has_content)
    return fail(std::string("is a ") + std::string(entry_type_name(entry.type)) +
                " but has file content");
  if (!entry.data.empty() && !entry.source_path.empty())
    return fail("has both in-memory content and a source file");
  if (entry.source_range && entry.source_path.empty())
    return fail("has a content range but no source file");
  bool is_link = entry.type == EntryType::kSymlink || entry.type == EntryType::kHardlink;
  if (!is_link && !entry.link_target.empty()) return fail("has a link target but is not a link");
  if (entry.type == EntryType::kSymlink) {
    if (entry.link_target.empty()) return fail("is a symlink without a target");
    if (entry.link_target.find('\0') != std::string::npos)
      return fail("has a symlink target containing a NUL byte");
    if (entry.link_target.size() > kMaxPathLength) return fail("has an over-long symlink target");
    if (!is_valid_utf8(entry.link_target)) return fail("has a symlink target that is not UTF-8");
  }
  if (entry.type == EntryType::kHardlink) {
    auto target = normalize_layer_path(entry.link_target);
    if (!target.ok()) return target.error().with_where("hardlink '" + entry.path + "'");
    entry.link_target = std::move(*target);
    if (entry.link_target == entry.path) return fail("is a hardlink to itself");
  }
  for (const auto& [name, value] : entry.xattrs) {
    if (name.empty() || name.find_first_of(std::string_view("=\0\n", 3)) != std::string::npos ||
        !is_valid_utf8(name))
      return fail("has an invalid extended attribute name '" + name + "'");
  }
  return core::Status::Ok();
}

core::Result<FsEntry> entry_from_host(const std::string& host_path, std::string layer_path) {
  struct stat st {};
  if (::lstat(host_path.c_str(), &st) != 0)
    return core::make_error(host_path, std::strerror(errno));
  FsEntry e;
  e.path = std::move(layer_path);
  e.mode = st.st_mode & 07777;
  e.uid = st.st_uid;
  e.gid = st.st_gid;
  e.mtime = st.st_mtim.tv_sec;
  if (S_ISREG(st.st_mode)) {
    e.type = EntryType::kRegular;
    e.source_path = host_path;
  } else if (S_ISDIR(st.st_mode)) {
    e.type = EntryType::kDirectory;
  } else if (S_ISLNK(st.st_mode)) {
    e.type = EntryType::kSymlink;
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlink(host_path.c_str(), target.data(), target.size());
    if (n < 0) return core::make_error(host_path, std::strerror(errno));
    if (static_cast<size_t>(n) >= target.size())
      return core::make_error(host_path, "symlink changed while reading it");
    target.resize(static_cast<size_t>(n));
    e.link_target = std::move(target);
  } else {
    const char* kind = S_ISCHR(st.st_mode)    ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a file, folder or symlink";
    return core::make_error(host_path, std::string("is ") + kind,
                            "images may hold only files, folders and symlinks");
  }
  DISTILL_TRY(validate_entry(e));
  return e;
}

}  // namespace distill::oci
