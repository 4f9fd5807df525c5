#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffer.hpp"
#include "core/result.hpp"
#include "debian/deb822.hpp"

namespace distill::debian {

// Where an index came from: enough to fetch its packages and to record it in
// a lockfile.
struct IndexOrigin {
  std::string base_url;   // mirror root, e.g. http://mirror/debian
  std::string suite;      // bookworm-security
  std::string component;  // main
  std::string arch;       // amd64
  std::string path;       // path inside dists/<suite>/ as listed in Release
  std::string sha256;     // of the file the Release vouches for (verified)
  std::string label() const { return suite + "/" + component + "/" + arch; }
};

// One binary package stanza. Views point into the owning PackageIndex.
struct PackageEntry {
  std::string_view name;
  std::string_view version;
  std::string_view architecture;
  std::string_view multi_arch;
  std::string_view essential;
  std::string_view priority;
  std::string_view depends;
  std::string_view pre_depends;
  std::string_view provides;
  std::string_view source;
  std::string_view filename;
  std::string_view sha256;
  uint64_t size = 0;
  uint64_t installed_size = 0;  // KiB
  std::string_view stanza;      // the whole control stanza, for status.d
  const IndexOrigin* origin = nullptr;

  bool is_essential() const { return essential == "yes"; }
};

// A verified, decompressed Packages file and its entries.
class PackageIndex {
 public:
  // Parses `text` (already hash-verified by the caller). Stanzas lacking
  // Package, Version, Architecture, Filename, Size or SHA256 are errors naming
  // the index and line.
  static core::Result<std::shared_ptr<PackageIndex>> parse(IndexOrigin origin, std::string text);
  static core::Result<std::shared_ptr<PackageIndex>> parse(IndexOrigin origin, core::Buffer text);

  const IndexOrigin& origin() const { return origin_; }
  const std::vector<PackageEntry>& entries() const { return entries_; }

 private:
  IndexOrigin origin_;
  core::Buffer text_;  // the entries' views point into it
  std::vector<PackageEntry> entries_;
};

// A provided name with its optional version ("Provides: foo (= 1.2)").
struct Provider {
  const PackageEntry* entry;
  std::string_view version;  // empty when unversioned
};

// All packages visible to one resolution (one architecture, many suites).
// The lookup tables are built on the first query, so the first query must not
// race with others; afterwards the universe is read-only and thread-safe.
// Spans returned by queries stay valid until the next add().
class PackageUniverse {
 public:
  PackageUniverse();
  ~PackageUniverse();
  PackageUniverse(PackageUniverse&&) noexcept;
  PackageUniverse& operator=(PackageUniverse&&) noexcept;

  void add(std::shared_ptr<const PackageIndex> index);

  // Real packages named `name`, highest version first (ties: earlier-added
  // index first).
  std::span<const PackageEntry* const> candidates(std::string_view name) const;
  // Packages whose Provides names `name`, in index order.
  std::span<const Provider> providers(std::string_view name) const;
  const std::vector<std::shared_ptr<const PackageIndex>>& indices() const { return indices_; }
  size_t size() const;  // number of entries across all indices

 private:
  struct Tables;  // flat lookup tables, see package_index.cpp
  const Tables& tables() const;
  std::vector<std::shared_ptr<const PackageIndex>> indices_;
  mutable std::unique_ptr<Tables> tables_;  // null until the first query
};

}  // namespace distill::debian
