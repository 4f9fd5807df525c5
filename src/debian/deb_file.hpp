#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "oci/fs_entry.hpp"

namespace distill::debian {

// What a binary package (.deb, deb(5)) holds, read without dpkg: the control
// files that describe it, and its data.tar as layer entries. Nothing runs:
// maintainer scripts are only listed so that a later step can decide what to
// do about a package that wants them.
struct DebContents {
  std::string control;  // ./control from control.tar, byte for byte
  std::string md5sums;  // ./md5sums, "" when the package has none
  // ./conffiles, as layer paths ("etc/foo.conf"). "remove-on-upgrade" lines
  // are left out: they name files the package no longer ships.
  std::vector<std::string> conffiles;
  // Which of preinst, postinst, prerm, postrm, config, triggers control.tar
  // has, in that order. (triggers is not a script, but like one it asks dpkg
  // to run code at install time.)
  std::vector<std::string> maintainer_scripts;
  // Their text, by name, for those that are regular files (a symlinked
  // script has a name but no text here). Read, never run: see effects/.
  std::map<std::string, std::string> script_text;
  // The names of the members read, e.g. "control.tar.xz" and "data.tar.zst".
  std::string control_member;
  std::string data_member;
  // data.tar in archive order, "./" root left out. Paths are normalised
  // ("usr/bin/x"), files' content is in `data` (or, with a spill folder, in
  // a content pack there: `source_path` and `source_range`), modes keep setuid/setgid/sticky
  // (a later policy decides about those), uid/gid/mtime are the tar's.
  std::vector<oci::FsEntry> entries;
};

// Bounds on what one package may make read_deb hold or do; a package that
// claims more is refused before anything is allocated for it.
struct DebLimits {
  // Sum over data.tar of file sizes, names and link targets.
  uint64_t max_data_bytes = uint64_t{4} << 30;
  // Each of control, md5sums and conffiles.
  uint64_t max_control_file_bytes = uint64_t{64} << 20;
  // Entries in control.tar and data.tar together.
  uint64_t max_entries = 1'000'000;
  // One member of the outer ar archive, as its header states it.
  uint64_t max_member_bytes = uint64_t{4} << 30;
};

// Reads the .deb at `path`. `name_for_errors` (a package name or file name)
// starts the `where` of every error, followed by the member and entry at fault.
// Refuses, rather than skips: entries with absolute paths or "..", device
// nodes, FIFOs, sockets, hardlinks to anything but an earlier file, paths
// through an earlier symlink or file, and a path given twice (directories
// excepted, the later one's metadata winning, as when tar unpacks them).
// With `spill_dir`, the content of every file is appended to one new
// oci::ContentPack in that folder (which must outlive the entries) instead
// of being held in memory, so that a package's size costs disk, never
// memory: only names and metadata stay. Packages may be read in parallel
// into the same folder.
core::Result<DebContents> read_deb(const std::string& path, std::string_view name_for_errors,
                                   const DebLimits& limits = {}, const std::string& spill_dir = {});

// The same as read_deb up to control.tar: `entries` stays empty and data.tar
// is neither read nor checked (read_deb does that when the data is wanted).
core::Result<DebContents> read_deb_control(const std::string& path,
                                           std::string_view name_for_errors,
                                           const DebLimits& limits = {});

// The package a .deb's ./control says it is (Package, Version, Architecture)
// must be the one its index entry named: a signed index pins the file's hash,
// and installing under a name the package does not carry would let one
// package stand in for another in status.d and every SBOM.
core::Status check_identity(const DebContents& deb, std::string_view where, std::string_view name,
                            std::string_view version, std::string_view architecture);

// The same, for a package already in memory.
core::Result<DebContents> read_deb_bytes(std::string_view data, std::string_view name_for_errors,
                                         const DebLimits& limits = {});

}  // namespace distill::debian
