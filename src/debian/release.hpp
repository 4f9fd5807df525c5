#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::debian {

// One line of the Release's SHA256 section.
struct ReleaseFile {
  std::string sha256;
  uint64_t size = 0;
  std::string path;  // relative to dists/<suite>/, e.g. main/binary-amd64/Packages.xz
};

// A parsed Release (the signed content of an InRelease). Only SHA256 is
// read: weaker hash lists are ignored, and a Release without one is rejected.
struct Release {
  std::string origin;
  std::string label;
  std::string suite;
  std::string codename;
  std::optional<int64_t> date;         // epoch seconds
  std::optional<int64_t> valid_until;  // epoch seconds
  bool acquire_by_hash = false;
  std::vector<std::string> architectures;
  std::vector<std::string> components;
  std::vector<ReleaseFile> files;

  // `where` names the source in errors (the InRelease URL).
  static core::Result<Release> parse(std::string text, std::string_view where);

  // The SHA256 entry for `path`, or nullptr when the Release does not list it.
  const ReleaseFile* find(std::string_view path) const;
};

// Rejects a Release past its Valid-Until, or dated more than `max_future`
// seconds after `now` (a clock or mirror problem apt also refuses).
core::Status check_release_freshness(const Release& release, int64_t now, std::string_view where,
                                     int64_t max_future = 24 * 3600);

}  // namespace distill::debian
