#include "builder/preset.hpp"

#include <fmt/format.h>

#include <array>

#include "core/strings.hpp"

namespace distill::builder {
namespace {

// awk is an interpreter that can run commands; base-files only wants it for
// its maintainer scripts, which a distroless build never runs.
const std::vector<std::string> kNoAwk = {"mawk", "gawk", "original-awk", "busybox-awk"};

void add_roots(Preset& p, std::initializer_list<std::string> roots) {
  p.roots.insert(p.roots.end(), roots.begin(), roots.end());
}

// One preset: what it adds to the preset it builds on.
struct PresetDef {
  const char* name;
  const char* parent;  // nullptr for the first
  void (*extend)(Preset&, const debian::Distro&);
};

// The one table of presets, in the order `distill.yaml` documentation lists them.
constexpr std::array<PresetDef, 7> kPresets{{
    {"static", nullptr,
     [](Preset& p, const debian::Distro&) {
       add_roots(p, {"base-files", "netbase", "tzdata", "media-types"});
       p.exclude = kNoAwk;
       // base-files: login accounting files owned by groups (utmp, mail) a
       // container has no use for; tzdata: /etc/localtime from a debconf
       // answer (the image keeps UTC; TZ picks a zone).
       p.acknowledged = {"base-files", "tzdata"};
       p.extract_only = {"ca-certificates"};
     }},
    // libc6: upgrade steps (telinit, ld.so.nohwcap) a fresh image never needs.
    {"base-nossl", "static",
     [](Preset& p, const debian::Distro&) {
       add_roots(p, {"libc6"});
       p.acknowledged.emplace_back("libc6");
     }},
    // trixie renamed the library package for the 64-bit time_t transition.
    {"base", "base-nossl",
     [](Preset& p, const debian::Distro& d) {
       add_roots(p, {d.time64 ? "libssl3t64" : "libssl3"});
     }},
    {"cc", "base",
     [](Preset& p, const debian::Distro&) {
       add_roots(p, {"libgcc-s1", "libgomp1", "libstdc++6"});
     }},
    // bookworm split distutils out of the standard library package; without
    // it `import distutils` (and the stdlib's _distutils_system_mod) fails.
    {"python3", "cc",
     [](Preset& p, const debian::Distro& d) {
       add_roots(p, {"python3"});
       if (d.codename == "bookworm") add_roots(p, {"python3-distutils"});
       add_roots(p, {"libc-bin"});
       p.partial["libc-bin"] = {"sbin/ldconfig"};
       p.env["LANG"] = "C.UTF-8";
       p.symlinks.push_back({"usr/bin/python", "python3"});
     }},
    // npm is a recommendation, never a dependency: it stays out.
    {"nodejs", "cc", [](Preset& p, const debian::Distro&) { add_roots(p, {"nodejs"}); }},
    // The JRE each release ships, headless. Printing (CUPS), sound (ALSA),
    // smart cards (PC/SC) and the NSS provider are loaded only when a program
    // asks for them, which a server does not; ca-certificates-java needs a
    // JVM at install time to write the truststore the build writes natively.
    {"java", "cc",
     [](Preset& p, const debian::Distro& d) {
       add_roots(p,
                 {d.codename == "bookworm" ? "openjdk-17-jre-headless" : "openjdk-21-jre-headless",
                  "default-jre-headless"});
       for (const char* x : {"libcups2", "libcups2t64", "libasound2", "libasound2t64",
                             "libpcsclite1", "libpcsclite1t64", "libnss3", "ca-certificates-java"})
         p.exclude.emplace_back(x);
       p.env["JAVA_HOME"] = "/usr/lib/jvm/default-java";
     }},
}};

const PresetDef* find_preset_def(std::string_view name) {
  for (const auto& d : kPresets)
    if (name == d.name) return &d;
  return nullptr;
}

void apply_preset_def(const PresetDef& def, const debian::Distro& distro, Preset& p) {
  if (def.parent) apply_preset_def(*find_preset_def(def.parent), distro, p);
  def.extend(p, distro);
}

}  // namespace

const std::vector<std::string>& known_presets() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& d : kPresets) out.emplace_back(d.name);
    return out;
  }();
  return names;
}

core::Result<Preset> find_preset(const std::string& name, const debian::Distro& distro) {
  const PresetDef* def = find_preset_def(name);
  if (!def)
    return core::make_error("base", fmt::format("unknown preset '{}'", name),
                            "one of " + core::join(known_presets(), ", "));
  Preset p;
  apply_preset_def(*def, distro, p);
  p.name = name;
  for (const PresetDef* up = def->parent ? find_preset_def(def->parent) : nullptr; up;
       up = up->parent ? find_preset_def(up->parent) : nullptr)
    p.lineage.insert(p.lineage.begin(), up->name);
  return p;
}

}  // namespace distill::builder
