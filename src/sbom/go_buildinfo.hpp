#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sbom/lang_package.hpp"

namespace distill::sbom {

// Finds a Go binary's build information as the file streams past, keeping no
// more than the block that holds it. Go writes it (Go 1.18 and later: the
// "inline" format) at the start of the .go.buildinfo section, 16-byte aligned
// in the file: the magic "\xff Go buildinf:", the pointer size, a flags byte
// (2: inline strings) and, at offset 32, two varint-prefixed strings: the Go
// version and the module information. Only ELF files are looked at; a magic
// whose header does not read (the string constant in the go command itself)
// is passed over. The older pointer format (before Go 1.18) needs the
// binary's address map and is not read.
class GoBuildInfoScanner {
 public:
  // Feeds the next bytes of the file.
  void feed(std::string_view chunk);
  // True once nothing more is needed: found, or the file is not ELF.
  bool done() const { return state_ == State::kFound || state_ == State::kNotGo; }
  // The version and module information, once found.
  const std::optional<std::pair<std::string, std::string>>& found() const { return found_; }

 private:
  enum class State { kStart, kSearching, kCapturing, kFound, kNotGo };
  void search();
  void try_decode();

  State state_ = State::kStart;
  std::string window_;      // bytes not yet searched (kept from a 16-byte boundary)
  uint64_t window_at_ = 0;  // file offset of window_[0]
  std::optional<std::pair<std::string, std::string>> found_;
};

// The Go version and module information decoded from the bytes at a magic
// (the 32-byte header and what follows); nullopt when they do not read.
std::optional<std::pair<std::string, std::string>> decode_go_buildinfo(std::string_view block);

// The packages the module information names: the main module ("mod" line,
// its version often "(devel)"), every "dep" (replaced by its "=>" line when
// the replacement has a version), and the toolchain as "stdlib" at the Go
// version ("go1.21.3"). Locations are left to the caller.
std::vector<LangPackage> go_packages(std::string_view go_version, std::string_view modinfo);

}  // namespace distill::sbom
