#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "debian/repository.hpp"

namespace distill::debian {

// One binary source as apt sees it: a one-line entry, or one URI x suite of a
// deb822 stanza. deb-src entries and disabled stanzas are not represented.
struct AptSourceEntry {
  std::string uri;    // trailing slashes stripped
  std::string suite;  // "bookworm", "bookworm-security", "./" for flat repos
  std::vector<std::string> components;
  std::string signed_by;                       // as written; may be an inline key
  std::map<std::string, std::string> options;  // one-line "[opt=val]" / other deb822 fields
  std::string origin;                          // "file:line", for messages
};

// One-line format: "deb [opt=val ...] URI suite [component...]". Comments and
// blank lines are skipped, as are deb-src lines. `where` names the file.
core::Result<std::vector<AptSourceEntry>> parse_sources_list(std::string_view text,
                                                             std::string_view where);

// deb822 format (.sources): Types, URIs, Suites, Components, Enabled, Signed-By.
core::Result<std::vector<AptSourceEntry>> parse_deb822_sources(std::string text,
                                                               std::string_view where);

// Every binary source of an apt configuration: <root>/sources.list, then the
// *.list and *.sources files of <root>/sources.list.d in name order. Like apt,
// files with any other ending (e.g. ".disabled") are ignored.
core::Result<std::vector<AptSourceEntry>> read_apt_sources(const std::string& apt_root);

// Picks the Debian archive and security mirrors out of `entries`. The archive
// is the first entry serving a Debian codename (or its -updates suite); the
// security mirror is the first entry with a -security suite or a URI path
// ending in "-security", else the archive URL + "-security" (the layout every
// Debian mirror network uses).
core::Result<Mirrors> mirrors_from_entries(const std::vector<AptSourceEntry>& entries,
                                           std::string_view where);

// The mirrors the host's apt uses (see mirrors_from_entries).
core::Result<Mirrors> host_mirrors(const std::string& apt_root = "/etc/apt");

// Mirrors given on the command line: --mirror URL [--security-mirror URL].
// Without a security URL, it is the archive URL + "-security".
Mirrors mirrors_from_flag(std::string_view archive, std::string_view security = {});

// "http://host/debian///" -> "http://host/debian".
std::string strip_trailing_slashes(std::string_view url);

}  // namespace distill::debian
