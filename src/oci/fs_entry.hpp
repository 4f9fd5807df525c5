#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::oci {

enum class EntryType { kRegular, kDirectory, kSymlink, kHardlink };

std::string_view entry_type_name(EntryType type);

// Where a regular entry's bytes sit inside its `source_path`: a content pack
// (oci::ContentPack) holds many entries' bytes back to back.
struct ContentRange {
  uint64_t offset = 0;
  uint64_t size = 0;
  bool operator==(const ContentRange&) const = default;
};

// One filesystem object of a layer. Device nodes, FIFOs and sockets have no
// type here on purpose: a distroless rootfs never needs them (the runtime
// provides /dev), and a layer that carried one could create devices on hosts
// that unpack it with privileges.
struct FsEntry {
  // Relative to the image root: "usr/bin/env", no leading '/', no "..".
  std::string path;
  EntryType type = EntryType::kRegular;
  // Permission bits only (07777, setuid/setgid/sticky included); the type is `type`.
  uint32_t mode = 0644;
  uint32_t uid = 0;
  uint32_t gid = 0;
  // Seconds since the epoch; the layer writer clamps it to SOURCE_DATE_EPOCH.
  int64_t mtime = 0;
  // kSymlink: the target, verbatim (may be absolute or contain ".." — the
  // runtime resolves it inside the container). kHardlink: another entry's path.
  std::string link_target;
  // Content of a kRegular entry: `data`; or when `source_path` is set, the
  // bytes of that host file, streamed at write time; or, with `source_range`
  // too, just that range of it (an entry of a content pack). Read them
  // through oci/entry_content.hpp, which knows all three.
  std::string data;
  std::string source_path;
  std::optional<ContentRange> source_range;
  // Extended attributes (e.g. "security.capability"), written as SCHILY.xattr records.
  std::map<std::string, std::string> xattrs;

  static FsEntry file(std::string path, std::string data, uint32_t mode = 0644);
  static FsEntry host_file(std::string path, std::string source_path, uint32_t mode = 0644);
  static FsEntry directory(std::string path, uint32_t mode = 0755);
  static FsEntry symlink(std::string path, std::string target);
  static FsEntry hardlink(std::string path, std::string target);
};

// Normalises a layer path: drops "." components, repeated and trailing
// slashes. Rejects absolute paths, "..", NUL, non-UTF-8 bytes, the root itself,
// names reserved for OCI whiteouts (".wh.*") and over-long paths.
core::Result<std::string> normalize_layer_path(std::string_view path);

// Checks one entry and normalises its path (and a hardlink's target) in place.
core::Status validate_entry(FsEntry& entry);

// Describes the host object at `host_path` (lstat, symlinks not followed) as an
// entry named `layer_path`: regular files become host_file entries, folders
// directories, symlinks symlinks. Device nodes, FIFOs and sockets are refused.
core::Result<FsEntry> entry_from_host(const std::string& host_path, std::string layer_path);

bool is_valid_utf8(std::string_view s);

}  // namespace distill::oci
