#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "image/rootfs_view.hpp"
#include "oci/image_reader.hpp"

namespace distill::verify {

// Which Debian package ships a library file ("libpq.so.5" -> "libpq5").
using PackageLookup = std::function<std::optional<std::string>(std::string_view soname)>;

// The fallback table of well-known sonames (libstdc++.so.6 -> libstdc++6, ...).
std::optional<std::string> well_known_package(std::string_view soname);

// Candidate package names for a soname, most likely first: the table's entry,
// then the names Debian policy 8.1 derives from it ("libfoo.so.5" ->
// "libfoo5", "libfoo-1.2.so.0" -> "libfoo-1.2-0"). Guesses only: a caller
// with package indices keeps the first one that exists (lookup_in).
std::vector<std::string> package_guesses(std::string_view soname);
PackageLookup lookup_in(std::function<bool(std::string_view package)> exists);

enum class ElfProblem { kMalformed, kMissingInterpreter, kMissingLibrary, kMissingVersion };

// The lint check ids of the ELF findings (docs/lint.md), which `lint --ignore`
// and the spec's `elf_check.ignore` name.
inline constexpr const char* kElfDepsRule = "DISTILL-0006";        // a missing dependency
inline constexpr const char* kElfUnreadableRule = "DISTILL-0008";  // not a readable ELF file
inline constexpr const char* kElfOptionalRule = "DISTILL-0011";    // an optional plugin's

struct ElfFinding {
  std::string binary;  // image path without the leading '/'
  ElfProblem problem = ElfProblem::kMissingLibrary;
  std::string library;                 // the interpreter path or the DT_NEEDED name
  std::string version;                 // kMissingVersion: e.g. "GLIBC_2.99"
  std::string found_at;                // kMissingVersion: the library file that lacks it
  std::string detail;                  // kMalformed: why the file could not be read
  std::optional<std::string> package;  // who would provide the library
  // A plugin's desktop, sound, print or smart-card library: a warning, not an
  // error (docs/elf-check.md, "Optional libraries").
  bool optional = false;
  // Matched by an ignore entry (the spec's `elf_check.ignore`): listed, not fatal.
  bool acknowledged = false;

  // kElfDepsRule, kElfUnreadableRule or kElfOptionalRule.
  const char* rule_id() const;
  // Whether the finding fails a build: neither optional nor acknowledged.
  bool fatal() const { return !optional && !acknowledged; }

  // "needs libstdc++.so.6, which is not in the image"
  std::string message() const;
  // "add `packages: [libstdc++6]`", or empty when no package is known; for
  // an optional finding, when the plugin would fail.
  std::string hint() const;
};

struct ElfCheckOptions {
  // Which files to check (image paths without '/'); unset: every ELF file.
  std::function<bool(std::string_view path)> select;
  // Tried before well_known_package.
  PackageLookup lookup;
};

// Checks the executables and shared libraries of `fs` (regular files whose
// kept content has the ELF magic) the way the dynamic loader would load
// them (docs/elf-check.md): PT_INTERP must exist; each program is loaded
// breadth first, every DT_NEEDED matching an object already loaded or
// resolving through the DT_RPATH of the object and its loaders (when it has
// no DT_RUNPATH), its DT_RUNPATH ($ORIGIN, $LIB and $PLATFORM expanded), the
// folders of etc/ld.so.conf.d/*.conf and the default multiarch and plain lib
// folders, to an ELF file of the same class and machine, symlinks followed
// as in the image; every version in .gnu.version_r must be defined by the
// library found. Shared objects no program loads are plugins, loaded on
// their own (a JVM home's libraries with the JVM's libjvm.so already
// loaded); their missing desktop, sound, print and smart-card libraries are
// `optional`. Every problem of a selected file is reported, sorted by file.
std::vector<ElfFinding> check_elf_dependencies(const image::RootfsView& fs,
                                               const ElfCheckOptions& options = {});

// Files whose bytes the check needs: regular files that are executable or
// named like a shared library, plus the loader's config.
bool is_elf_candidate(const image::FileEntry& e);

// Reads the image's filesystem keeping the content of is_elf_candidate files
// and of the paths `also_keep` accepts. It reads the layers twice (metadata
// first, since which files are candidates depends on their mode), so only
// those files are held in memory.
core::Result<image::RootfsView> read_rootfs_for_elf(
    oci::ImageReader& reader, const oci::PlatformImage& image,
    std::function<bool(std::string_view path)> also_keep = {});

}  // namespace distill::verify
