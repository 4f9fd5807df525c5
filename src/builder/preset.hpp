#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "debian/distro.hpp"

namespace distill::builder {

// A base image's package set, in the spirit of Google distroless but resolved
// rather than hand-listed: only the roots are named here.
struct Preset {
  std::string name;
  // The presets this one stacks on, the first one first ("static",
  // "base-nossl", ... without this one): the image's lowest layers, one per
  // level (docs/image-format.md#layers-of-an-image).
  std::vector<std::string> lineage;
  std::vector<std::string> roots;    // resolved with their dependencies
  std::vector<std::string> exclude;  // edges the preset never wants followed
  // Packages fetched for their data but never installed (the CA bundle is
  // built from ca-certificates natively; the package itself would drag in
  // openssl and debconf).
  std::vector<std::string> extract_only;
  // Installed packages of which the image keeps only these paths (as the
  // .deb names them) and the folders above them: libc-bin's ldconfig, which
  // Python's ctypes.util.find_library runs to read ld.so.cache, without
  // libc-bin's scripts. Their status.d md5sums list just those files.
  std::map<std::string, std::vector<std::string>> partial;
  // Packages whose unhandled maintainer-script steps the preset accepts, for
  // the reasons docs/spec.md gives (as a spec's acknowledge_scripts does).
  std::vector<std::string> acknowledged;
  std::map<std::string, std::string> env;
  // Symlinks a maintainer script or alternatives would have made, as
  // {path in the image, target}.
  std::vector<std::pair<std::string, std::string>> symlinks;
};

// The preset names, from the smallest image to the largest.
const std::vector<std::string>& known_presets();

core::Result<Preset> find_preset(const std::string& name, const debian::Distro& distro);

}  // namespace distill::builder
