#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "image/rootfs_view.hpp"

namespace distill::image {

// The dpkg database of a regular Debian image, and the per-package folder
// distroless images (distill's included) use instead: one control stanza per
// file, named after the package, plus "<name>.md5sums". Trivy, Grype and Syft
// read both.
inline constexpr std::string_view kDpkgStatusFile = "var/lib/dpkg/status";
inline constexpr std::string_view kDpkgStatusDir = "var/lib/dpkg/status.d";

// One installed Debian package.
struct DpkgPackage {
  std::string name;  // the Package field (never a file name)
  std::string version;
  std::string architecture;
  // The source package and its version: "Source: foo (1.2-3)" gives foo and
  // 1.2-3; "Source: foo" gives foo and the binary's version; no Source field
  // gives the binary's own name and version.
  std::string source;
  std::string source_version;
  std::optional<uint64_t> installed_size_kib;  // Installed-Size, when present and numeric
  std::string status;         // the Status field verbatim; empty in status.d stanzas
  std::string database_file;  // where it was listed, e.g. "var/lib/dpkg/status.d/libc6"
};

// Where the packages came from.
enum class DpkgDatabase { kStatusFile, kStatusDir };

// True when dpkg's Status field ("want flag state") says the package's files
// are on disk: state "installed", or "triggers-pending"/"triggers-awaited"
// (configured, only triggers outstanding), with the flag "ok". The want part
// is ignored: a held or about-to-be-removed package is still installed.
// "config-files", "not-installed", "half-installed", "unpacked" and
// "half-configured" are not.
bool dpkg_status_installed(std::string_view status);

// Parses one database file. kStatusFile keeps only installed stanzas (those
// without a Status field are skipped); kStatusDir keeps every stanza unless it
// has a Status field that says otherwise. A kept stanza without Package or
// Version is an error naming `where` and its line.
core::Result<std::vector<DpkgPackage>> parse_dpkg_database(std::string text, std::string_view where,
                                                           DpkgDatabase kind);

// True for the files read_dpkg_packages needs the content of (the status file
// and the status.d stanzas, not their .md5sums): pass it to
// RootfsOptions::keep_content.
bool is_dpkg_database_file(std::string_view path);

// Every package of the image: the status file and every status.d/* file
// (except *.md5sums and dot files) merged, sorted by name, architecture and
// version, exact duplicates dropped. An image without either has none.
core::Result<std::vector<DpkgPackage>> read_dpkg_packages(const RootfsView& fs);

}  // namespace distill::image
