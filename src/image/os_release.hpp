#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "image/rootfs_view.hpp"

namespace distill::image {

// What an image says about its distribution (os-release(5)), plus Debian's
// /etc/debian_version.
struct OsRelease {
  std::map<std::string, std::string> fields;  // every KEY=value, unquoted
  std::string file;                           // the file read, e.g. "usr/lib/os-release"
  std::string debian_version;                 // etc/debian_version, trimmed; may be set alone

  // A field, or "" when absent: "ID", "VERSION_ID", "VERSION_CODENAME", "PRETTY_NAME"...
  std::string get(const std::string& key) const;
};

// Parses os-release text: KEY=value lines, values unquoted (in "..." a
// backslash escapes " \ $ and `; '...' is verbatim), comments and malformed
// lines ignored.
std::map<std::string, std::string> parse_os_release(std::string_view text);

// True for the files read_os_release needs the content of: anything named
// os-release (etc/os-release is usually a symlink whose target cannot be
// known before the layers are read) and etc/debian_version.
bool is_os_release_file(std::string_view path);

// /etc/os-release (symlinks followed inside the image), else
// /usr/lib/os-release, as os-release(5) prescribes; and /etc/debian_version.
// nullopt when the image has none of them.
core::Result<std::optional<OsRelease>> read_os_release(const RootfsView& fs);

}  // namespace distill::image
