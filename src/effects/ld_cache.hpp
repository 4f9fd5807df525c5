#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "effects/tree.hpp"

namespace distill::effects {

// glibc's ldconfig.h flag values: the low byte is the library type, the high
// byte the ABI the object needs. ld.so only uses entries whose flags are its
// own (x86-64: exactly kLdFlagElfLibc6 | kLdFlagX8664Lib64).
inline constexpr int32_t kLdFlagElf = 0x0001;
inline constexpr int32_t kLdFlagElfLibc5 = 0x0002;
inline constexpr int32_t kLdFlagElfLibc6 = 0x0003;
inline constexpr int32_t kLdFlagPowerpcLib64 = 0x0500;
inline constexpr int32_t kLdFlagX8664Lib64 = 0x0300;
inline constexpr int32_t kLdFlagS390Lib64 = 0x0400;
inline constexpr int32_t kLdFlagX8664LibX32 = 0x0800;
inline constexpr int32_t kLdFlagArmLibHf = 0x0900;
inline constexpr int32_t kLdFlagAarch64Lib64 = 0x0a00;
inline constexpr int32_t kLdFlagArmLibSf = 0x0b00;

// One line of `ldconfig -p`.
struct LdCacheEntry {
  std::string key;    // the name ld.so looks up: "libc.so.6"
  std::string path;   // absolute path in the image: "/lib/x86_64-linux-gnu/libc.so.6"
  int32_t flags = 0;  // kLdFlagElfLibc6 | kLdFlagX8664Lib64 ...
  uint64_t hwcap = 0;

  bool operator==(const LdCacheEntry&) const = default;
};

// What Debian's `ldconfig -r ROOT` would list in ROOT/etc/ld.so.cache: the
// folders of etc/ld.so.conf (its `include` globs followed) then the trusted
// ones (/lib/<triplet>, /usr/lib/<triplet>, /lib, /usr/lib), every shared
// object there that this architecture's ldconfig accepts listed under its
// soname, in scan order (write_ld_cache sorts). `arch` is a Debian
// architecture: amd64, i386, arm64, armhf, armel, ppc64el, s390x.
// docs/effects-ld-cache.md lists what is and is not reproduced.
core::Result<std::vector<LdCacheEntry>> scan_ld_libraries(const Tree& tree, std::string_view arch);

// The cache file in glibc's current format (the "glibc-ld.so.cache1.1" table
// only, as glibc >= 2.32 writes by default) for `arch`'s byte order: entries
// sorted as ldconfig sorts them (equal ones keep their order: the first
// folder scanned wins), string table laid out as ldconfig lays it out, and a
// generator extension naming distill. Same input, same bytes. Keys and paths
// are C strings: anything from a NUL byte on is dropped. An unknown `arch` is
// written as amd64 would be; scan_ld_libraries refuses one before this.
std::string write_ld_cache(std::vector<LdCacheEntry> entries, std::string_view arch);

// Reads a cache in the new format back, in file order. Every offset and count
// is checked against the data: a malformed file is an error value.
core::Result<std::vector<LdCacheEntry>> parse_ld_cache(std::string_view data);

// scan_ld_libraries, then write_ld_cache to the tree's etc/ld.so.cache
// (mode 0644). Returns the number of entries written.
core::Result<size_t> add_ld_cache(Tree& tree, std::string_view arch);

}  // namespace distill::effects
