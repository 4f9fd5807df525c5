#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace distill::verify {

// What an image offers a compiled Python module: its CPython version, the
// multiarch triplet extension names carry, and its glibc.
struct PythonTarget {
  int minor = 0;         // python3.<minor>
  std::string triplet;   // "x86_64-linux-gnu"
  int glibc_minor = -1;  // glibc 2.<glibc_minor>; -1 when unknown
  std::string distro;    // "Debian 12", for hints

  std::string python() const;  // "python3.11"
};

// The image's interpreter and glibc from its packages ("name=version", as a
// build plans them): python3.<N>-minimal (or libpython3.<N>-minimal) gives
// the version, libc6 the glibc. nullopt when the image holds no Python.
std::optional<PythonTarget> python_target(const std::vector<std::string>& packages,
                                          std::string triplet, std::string distro);

// The tag in an extension module's file name (PEP 3149):
// "m.cpython-311-x86_64-linux-gnu.so", "m.abi3.so", or a plain "m.so".
struct ExtensionName {
  enum class Kind { kCpython, kAbi3, kOther, kUntagged };
  Kind kind = Kind::kUntagged;
  std::string module;   // "m"
  std::string tag;      // "cpython-311-x86_64-linux-gnu", "abi3", "" when untagged
  int minor = -1;       // kCpython: 3.<minor>
  std::string flags;    // kCpython: ABI flags, "d" (debug), "t" (free-threaded)
  std::string triplet;  // kCpython: may be empty ("m.cpython-311.so")
};

// nullopt when `file_name` does not end in ".so".
std::optional<ExtensionName> parse_extension_name(std::string_view file_name);

// Why the image's interpreter cannot import the module; nullopt when it can
// (abi3 and untagged names are accepted: nothing in the name says otherwise).
std::optional<std::string> extension_problem(const ExtensionName& name, const PythonTarget& target);

// One tag of a wheel (PEP 425): "cp311-cp311-manylinux_2_17_x86_64".
struct WheelTag {
  std::string python;    // "cp311", "py3"
  std::string abi;       // "cp311", "abi3", "none"
  std::string platform;  // "manylinux_2_17_x86_64", "any"
  std::string text() const;
};

// The "Tag:" lines of a .dist-info/WHEEL file, compressed tag sets
// ("py2.py3-none-any") expanded; lines that are not three dash-separated
// parts are skipped.
std::vector<WheelTag> parse_wheel_tags(std::string_view wheel_file);

// Why the image cannot use a wheel with these tags, or nullopt when one of
// them fits (as pip picks any supported tag). Only the first tag's reason is
// given; no tags at all is no problem.
std::optional<std::string> wheel_problem(const std::vector<WheelTag>& tags,
                                         const PythonTarget& target);

// The glibc a manylinux platform tag needs, as 2.<minor>: manylinux1 = 2.5,
// manylinux2010 = 2.12, manylinux2014 = 2.17, manylinux_2_NN = 2.NN; the
// architecture after it in `arch`. nullopt for other platforms.
struct ManylinuxTag {
  int glibc_minor = 0;
  std::string arch;
};
std::optional<ManylinuxTag> parse_manylinux(std::string_view platform);

}  // namespace distill::verify
