#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::debian {

// distill.lock (docs/lockfile.md): the exact files a build uses. Byte-stable:
// keys and lists sorted, no timestamps, no host paths.
struct LockedIndex {
  std::string suite;
  std::string component;
  std::string path;    // inside dists/<suite>/, e.g. main/binary-amd64/Packages.xz
  std::string sha256;  // of that file, as the signed Release lists it
};

struct LockedPackage {
  std::string name;
  std::string version;
  std::string architecture;
  std::string suite;     // which suite served it: decides the mirror (archive or security)
  std::string filename;  // pool path relative to the mirror root
  std::string sha256;
  uint64_t size = 0;
};

struct LockedArch {
  std::vector<LockedIndex> indices;
  std::vector<LockedPackage> packages;
  // Read for their data only, never installed (an image build takes the CA
  // certificates out of ca-certificates this way). Written only when present.
  std::vector<LockedPackage> extract;
};

struct Lockfile {
  static constexpr int kFormatVersion = 1;
  std::string distro;
  std::vector<std::string> packages;  // the request, as given
  std::vector<std::string> exclude;
  std::string base;  // the spec's preset when locked from a spec; written only when set
  std::map<std::string, LockedArch> archs;

  // Canonical JSON text, sorted and newline-terminated.
  std::string to_json() const;
  static core::Result<Lockfile> parse(std::string_view text, const std::string& where);
};

}  // namespace distill::debian
