#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/temp_dir.hpp"
#include "image/rootfs_view.hpp"
#include "sbom/lang_package.hpp"

namespace distill::sbom {

// The files whose bytes the language inventory reads from the view: Python
// METADATA/PKG-INFO, npm lockfiles and installed package.json files, and the
// dpkg file lists that say which files a Debian package owns
// (var/lib/dpkg/info/*.list, var/lib/dpkg/status.d/*.md5sums). For
// RootfsOptions::keep_content.
bool is_lang_inventory_file(std::string_view path);

// RootfsOptions::probe for the language inventory: Go build information of
// executables (read as they stream, go_buildinfo.hpp) and the Maven
// pom.properties of Java archives (each spooled to a private temporary file,
// at most 1 GiB, then read with libarchive). What it finds is kept as a
// compact JSON list on the entry.
class LangProbe {
 public:
  static core::Result<std::shared_ptr<LangProbe>> create();
  core::Result<std::string> probe(const image::LayerEntry& entry,
                                  const image::ContentReader& content);

 private:
  explicit LangProbe(core::TempDir dir) : dir_(std::move(dir)) {}
  core::Result<std::string> probe_jar(const image::ContentReader& content);
  core::Result<std::string> probe_go(const image::ContentReader& content);

  core::TempDir dir_;
};

// The language packages of the final filesystem, found in the kept files and
// the probes of the entries still present (docs/app-dependencies.md). A
// file a Debian package owns (its dpkg file list names it) is left to that
// package: Debian's python3-* egg-info and its packaged jars and Go programs
// are reported as the Debian package only. The same package (same purl)
// found in several places is one package with every location; sorted by
// ecosystem, name and version.
std::vector<LangPackage> read_lang_packages(const image::RootfsView& fs);

// The probe text of one entry, and back (exposed for tests).
std::string lang_probe_text(const std::vector<LangPackage>& packages,
                            const std::vector<std::string>& inner_paths);
std::vector<LangPackage> parse_lang_probe(std::string_view text, std::string_view path);

}  // namespace distill::sbom
