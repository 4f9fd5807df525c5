#include "builder/preset.hpp"

#include <fmt/format.h>

#include "builder/spec.hpp"

namespace distill::builder {
namespace {

// awk is an interpreter that can run commands; base-files only wants it for
// its maintainer scripts, which a distroless build never runs.
const std::vector<std::string> kNoAwk = {"mawk", "gawk", "original-awk", "busybox-awk"};

Preset static_preset() {
  Preset p;
  p.name = "static";
  p.roots = {"base-files", "netbase", "tzdata", "media-types"};
  p.exclude = kNoAwk;
  p.extract_only = {"ca-certificates"};
  return p;
}

void add(Preset& p, std::initializer_list<std::string> roots) {
  p.roots.insert(p.roots.end(), roots.begin(), roots.end());
}

}  // namespace

core::Result<Preset> find_preset(const std::string& name, const debian::Distro& distro) {
  const bool trixie = distro.codename == "trixie";
  Preset p = static_preset();
  if (name == "static") return p;
  add(p, {"libc6"});
  if (name == "base-nossl") {
    p.name = name;
    return p;
  }
  // trixie renamed the library package for the 64-bit time_t transition.
  add(p, {trixie ? "libssl3t64" : "libssl3"});
  if (name == "base") {
    p.name = name;
    return p;
  }
  add(p, {"libgcc-s1", "libgomp1", "libstdc++6"});
  if (name == "cc") {
    p.name = name;
    return p;
  }
  if (name == "python3") {
    p.name = name;
    add(p, {"python3"});
    p.env["LANG"] = "C.UTF-8";
    p.symlinks.push_back({"usr/bin/python", "python3"});
    return p;
  }
  if (name == "nodejs") {
    p.name = name;
    add(p, {"nodejs"});
    // npm is a recommendation, never a dependency: it stays out.
    return p;
  }
  std::string list;
  for (const auto& k : known_presets()) list += (list.empty() ? "" : ", ") + k;
  return core::make_error("base", fmt::format("unknown preset '{}'", name), "one of " + list);
}

}  // namespace distill::builder
