#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cache/cache.hpp"
#include "core/clock.hpp"
#include "core/process.hpp"
#include "core/result.hpp"
#include "debian/distro.hpp"
#include "debian/package_index.hpp"
#include "debian/release.hpp"
#include "net/fetcher.hpp"

namespace distill::core {
class Progress;
}

namespace distill::debian {

struct ReleaseFile;

// Base URLs of the archive and of the security archive (which lives under a
// different root on Debian's mirrors).
struct Mirrors {
  std::string archive;   // serves <codename> and <codename>-updates
  std::string security;  // serves <codename>-security
};

struct RepositoryConfig {
  Distro distro;  // suites come from here
  Mirrors mirrors;
  std::vector<std::string> components = {"main"};
  std::string keyring;    // empty: the debian-archive-keyring default
  bool offline = false;   // no network: cached InRelease and blobs only
  bool progress = false;  // draw progress on stderr
  // Each download thread keeps one connection to a mirror open, so this is
  // also the most connections a build opens per mirror host (apt uses 1-2).
  int parallel_downloads = 4;
};

// One file to download from the pool, with what the index vouches for.
struct PackageFetch {
  std::string name;          // for messages, and what the .deb's control must say
  std::string version;       // what the .deb's control must say too
  std::string architecture;  // likewise
  std::string base_url;      // mirror root
  std::string filename;      // pool/main/p/python3.11/python3.11_3.11.2-6_amd64.deb
  std::string sha256;
  uint64_t size = 0;
};

// The Debian archive client: signed InRelease -> hash-verified Packages
// indices -> hash-verified .debs, everything through the content-addressed
// cache.
class Repository {
 public:
  Repository(RepositoryConfig config, net::Fetcher& fetcher, cache::Cache& cache,
             core::ProcessRunner& runner, core::Clock& clock);

  // Loads the Packages index of every suite x component for `arch`
  // (Architecture: all packages included), each verified against its
  // suite's signed Release.
  core::Result<std::vector<std::shared_ptr<const PackageIndex>>> load_indices(
      const std::string& arch);

  // Which Packages index of every suite x component `arch` resolves from, as
  // the signed, fresh Releases vouch for them, without reading any index:
  // their digests identify what a resolution would see.
  core::Result<std::vector<IndexOrigin>> index_origins(const std::string& arch);

  // Makes every file available in the cache, downloading what is missing in
  // parallel; returns the cache paths in the order of `items`.
  core::Result<std::vector<std::string>> fetch(const std::vector<PackageFetch>& items);

  // The base URL that serves `suite`.
  std::string base_url_for(const std::string& suite) const;

  const RepositoryConfig& config() const { return config_; }

 private:
  // Fetched (or, offline, cached), signature-checked, fresh Release of `suite`.
  core::Result<Release> load_release(const std::string& suite);
  core::Result<Release> fetch_release(const std::string& suite);
  core::Result<std::vector<std::shared_ptr<const PackageIndex>>> load_suite(
      const std::string& suite, const std::string& arch);
  // The index `arch` and `component` use in `release`: its uncompressed form
  // (the digest recorded) and the variant to download.
  struct IndexFiles {
    IndexOrigin origin;
    const ReleaseFile* plain;
    const ReleaseFile* variant;
  };
  core::Result<IndexFiles> index_files(const Release& release, const std::string& suite,
                                       const std::string& component, const std::string& arch);
  core::Result<std::shared_ptr<const PackageIndex>> load_index(const Release& release,
                                                               const std::string& suite,
                                                               const std::string& component,
                                                               const std::string& arch);
  // The decompressed index vouched for by `plain`, from the cache or by
  // downloading `variant` (a compressed form of it, or `plain` itself).
  core::Result<core::Buffer> load_index_text(const Release& release, const std::string& suite,
                                             const ReleaseFile& plain, const ReleaseFile& variant);
  core::Result<std::string> download(const PackageFetch& item, core::Progress* progress);

  RepositoryConfig config_;
  // Each suite's Release, fetched and verified once per Repository: the
  // architectures of one build, and the images of `build -f a -f b`, share it.
  std::mutex releases_mu_;
  std::map<std::string, Release> releases_;
  net::Fetcher& fetcher_;
  cache::Cache& cache_;
  core::ProcessRunner& runner_;
  core::Clock& clock_;
};

}  // namespace distill::debian
