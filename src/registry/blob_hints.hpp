#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "oci/digest.hpp"

namespace distill::registry {

// Which repositories of a registry we have pushed each blob to, so a push to
// another repository of the same registry can ask for a cross-repository
// mount instead of uploading again. Kept in <cache>/registry-blobs.json; only
// a hint: a stale entry costs one refused mount.
class BlobHints {
 public:
  // An empty path keeps hints in memory only.
  static core::Result<BlobHints> load(std::string path);

  // Repositories of `registry` other than `except` known to hold `digest`.
  std::vector<std::string> repositories(const std::string& registry, const oci::Digest& digest,
                                        const std::string& except) const;
  void add(const std::string& registry, const std::string& repository,
           const std::vector<oci::Digest>& digests);
  core::Status save() const;

 private:
  std::string path_;
  // registry -> repository -> digests
  std::map<std::string, std::map<std::string, std::set<std::string>>> known_;
};

}  // namespace distill::registry
