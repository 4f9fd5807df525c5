#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::verify {

// e_type values the dependency check cares about.
inline constexpr uint16_t kElfTypeExec = 2;
inline constexpr uint16_t kElfTypeDyn = 3;

// The symbol versions an object needs from one library (.gnu.version_r):
// "libc.so.6" -> {"GLIBC_2.34", "GLIBC_2.2.5"}.
struct ElfVersionNeed {
  std::string library;
  std::vector<std::string> versions;
};

// What the dynamic loader reads from an ELF file, and nothing more.
struct ElfFile {
  bool is_64 = false;
  bool big_endian = false;
  uint16_t type = 0;                          // e_type (kElfTypeExec, kElfTypeDyn, ...)
  uint16_t machine = 0;                       // e_machine (62 = x86-64, 183 = AArch64, ...)
  std::optional<std::string> interpreter;     // PT_INTERP
  std::vector<std::string> needed;            // DT_NEEDED, in order
  std::vector<std::string> runpath;           // DT_RUNPATH split on ':'
  std::vector<std::string> rpath;             // DT_RPATH split on ':'
  std::optional<std::string> soname;          // DT_SONAME
  std::vector<ElfVersionNeed> version_needs;  // .gnu.version_r (DT_VERNEED)
  // .gnu.version_d (DT_VERDEF) names, the base entry (the soname itself) excluded.
  std::vector<std::string> version_defs;
};

// True when `data` starts with "\x7f" "ELF".
bool has_elf_magic(std::string_view data);

// Parses `data` as an ELF32/ELF64 file of either byte order. Read-only and
// bounds-checked: every offset, size and count is checked against the
// buffer, so a truncated or malformed file is an error value, never a crash.
// The error's `where` is "ELF"; callers add the file name.
core::Result<ElfFile> parse_elf(std::string_view data);

}  // namespace distill::verify
