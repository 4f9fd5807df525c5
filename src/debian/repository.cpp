#include "debian/repository.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>

#include "core/decompress.hpp"
#include "core/progress.hpp"
#include "core/sha256.hpp"
#include "core/thread_pool.hpp"
#include "debian/release.hpp"
#include "debian/signature.hpp"

namespace distill::debian {
namespace {

// One thread per suite: each waits on the network and gpgv as much as it
// computes, and a distro has three suites.
constexpr int kIndexWorkers = 3;
// Debian's InRelease files are a few hundred KiB.
constexpr uint64_t kMaxInReleaseBytes = 16u << 20;

std::string strip_slashes(std::string url) {
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  return url;
}

std::string dirname_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// GETs `url` into memory, refusing a body larger than `limit`.
core::Result<std::string> fetch_bounded(net::Fetcher& fetcher, const std::string& url,
                                        uint64_t limit) {
  std::string body;
  bool too_big = false;
  net::BodySink sink = [&](std::string_view chunk) {
    if (body.size() + chunk.size() > limit) {
      too_big = true;
      return false;
    }
    body.append(chunk);
    return true;
  };
  core::Status st = fetcher.get_to(url, sink, [&] {
    body.clear();
    too_big = false;
  });
  if (too_big)
    return core::make_error(
        url, fmt::format("size mismatch: expected at most {} bytes, got more", limit));
  if (!st.ok()) return st.error();
  return body;
}

core::Status verify_blob(std::string_view data, const ReleaseFile& expected,
                         const std::string& where) {
  if (data.size() != expected.size)
    return core::make_error(
        where, fmt::format("size mismatch: expected {} bytes, got {}", expected.size, data.size()));
  std::string got = core::sha256_hex(data);
  if (got != expected.sha256)
    return core::make_error(
        where, fmt::format("SHA256 mismatch: expected {}, got {}", expected.sha256, got));
  return core::Status::Ok();
}

}  // namespace

Repository::Repository(RepositoryConfig config, net::Fetcher& fetcher, cache::Cache& cache,
                       core::ProcessRunner& runner, core::Clock& clock)
    : config_(std::move(config)), fetcher_(fetcher), cache_(cache), runner_(runner), clock_(clock) {
  config_.mirrors.archive = strip_slashes(config_.mirrors.archive);
  config_.mirrors.security = strip_slashes(config_.mirrors.security);
}

std::string Repository::base_url_for(const std::string& suite) const {
  return Distro::is_security_suite(suite) ? config_.mirrors.security : config_.mirrors.archive;
}

core::Result<Release> Repository::load_release(const std::string& suite) {
  {
    std::lock_guard<std::mutex> lock(releases_mu_);
    if (auto it = releases_.find(suite); it != releases_.end()) return it->second;
  }
  DISTILL_ASSIGN(Release release, fetch_release(suite));
  std::lock_guard<std::mutex> lock(releases_mu_);
  return releases_.emplace(suite, std::move(release)).first->second;
}

core::Result<Release> Repository::fetch_release(const std::string& suite) {
  std::string url = base_url_for(suite) + "/dists/" + suite + "/InRelease";
  std::string document;
  if (config_.offline) {
    auto cached = cache_.read_named(url);
    if (!cached)
      return core::make_error(url, "not in the cache",
                              "run once without --offline to fill the cache");
    document = std::move(*cached);
  } else {
    DISTILL_ASSIGN(document, fetch_bounded(fetcher_, url, kMaxInReleaseBytes));
  }

  SignatureVerifier verifier(runner_, config_.keyring);
  std::string signed_text;
  DISTILL_ASSIGN(signed_text, verifier.verify_clearsigned(document, url));
  DISTILL_ASSIGN(Release release, Release::parse(std::move(signed_text), url));
  DISTILL_TRY(check_release_freshness(release, clock_.now(), url));
  // A validly signed Release of another suite (say, a stale main suite served
  // as -security) would silently freeze updates.
  if (release.suite != suite && release.codename != suite)
    return core::make_error(url,
                            fmt::format("Release is for suite '{}' (codename '{}'), not '{}'",
                                        release.suite, release.codename, suite),
                            "the mirror serves the wrong file");
  if (!config_.offline) DISTILL_TRY(cache_.write_named(url, document));
  return release;
}

core::Result<core::Buffer> Repository::load_index_text(const Release& release,
                                                       const std::string& suite,
                                                       const ReleaseFile& plain,
                                                       const ReleaseFile& variant) {
  std::string label = suite + "/" + dirname_of(plain.path);
  if (auto cached = cache_.read_mapped(plain.sha256, plain.size)) return std::move(*cached);
  if (config_.offline)
    return core::make_error(label, "Packages index is not in the cache",
                            "run once without --offline to fill the cache");

  std::string dists = base_url_for(suite) + "/dists/" + suite + "/";
  std::string url = release.acquire_by_hash
                        ? dists + dirname_of(variant.path) + "/by-hash/SHA256/" + variant.sha256
                        : dists + variant.path;
  DISTILL_ASSIGN(std::string data, fetch_bounded(fetcher_, url, variant.size));
  // The download is checked against the signed Release before the
  // decompressor ever sees it.
  DISTILL_TRY(verify_blob(data, variant, url));
  std::string text;
  if (&variant == &plain) {
    text = std::move(data);
  } else {
    // Stopped at the size the signed Release states, not after the whole stream.
    DISTILL_ASSIGN(text, core::decompress(data, url, plain.size));
    DISTILL_TRY(verify_blob(text, plain, url + " (decompressed)"));
  }
  auto stored = cache_.store(plain.sha256, text, url);
  if (!stored.ok()) return stored.error();
  return core::Buffer(std::move(text));
}

core::Result<Repository::IndexFiles> Repository::index_files(const Release& release,
                                                             const std::string& suite,
                                                             const std::string& component,
                                                             const std::string& arch) {
  std::string dir = component + "/binary-" + arch;
  std::string plain_path = dir + "/Packages";
  const ReleaseFile* plain = release.find(plain_path);
  const ReleaseFile* variant = nullptr;
  for (const char* ext : {".xz", ".gz", ""}) {
    variant = release.find(plain_path + ext);
    if (variant) break;
  }
  std::string inrelease = base_url_for(suite) + "/dists/" + suite + "/InRelease";
  if (variant == nullptr)
    return core::make_error(
        inrelease,
        fmt::format("no Packages index for suite {}, component {}, "
                    "architecture {}",
                    suite, component, arch),
        fmt::format("the Release offers components '{}' and architectures '{}'",
                    fmt::join(release.components, " "), fmt::join(release.architectures, " ")));
  if (plain == nullptr)
    return core::make_error(inrelease, "Release lists no hash for the uncompressed " + plain_path,
                            "cannot verify the decompressed index");
  IndexOrigin origin{base_url_for(suite), suite, component, arch, plain->path, plain->sha256};
  return IndexFiles{std::move(origin), plain, variant};
}

core::Result<std::shared_ptr<const PackageIndex>> Repository::load_index(
    const Release& release, const std::string& suite, const std::string& component,
    const std::string& arch) {
  DISTILL_ASSIGN(IndexFiles files, index_files(release, suite, component, arch));
  DISTILL_ASSIGN(core::Buffer text, load_index_text(release, suite, *files.plain, *files.variant));
  DISTILL_ASSIGN(auto index, PackageIndex::parse(std::move(files.origin), std::move(text)));
  return std::shared_ptr<const PackageIndex>(std::move(index));
}

core::Result<std::vector<IndexOrigin>> Repository::index_origins(const std::string& arch) {
  if (config_.components.empty()) return core::make_error("repository", "no components configured");
  std::vector<std::string> suites = config_.distro.suites();
  std::vector<std::optional<core::Result<Release>>> releases(suites.size());
  // Every suite is loaded (the jobs never fail); the loop below reports the
  // first suite's error.
  DISTILL_TRY(core::run_parallel(suites.size(), kIndexWorkers, [&](size_t i) {
    releases[i].emplace(load_release(suites[i]));
    return core::Status::Ok();
  }));
  std::vector<IndexOrigin> out;
  for (size_t i = 0; i < suites.size(); ++i) {
    if (!releases[i]->ok()) return releases[i]->error();
    for (const auto& component : config_.components) {
      DISTILL_ASSIGN(IndexFiles files,
                     index_files(releases[i]->value(), suites[i], component, arch));
      out.push_back(std::move(files.origin));
    }
  }
  return out;
}

core::Result<std::vector<std::shared_ptr<const PackageIndex>>> Repository::load_suite(
    const std::string& suite, const std::string& arch) {
  DISTILL_ASSIGN(Release release, load_release(suite));
  std::vector<std::shared_ptr<const PackageIndex>> out;
  for (const auto& component : config_.components) {
    DISTILL_ASSIGN(auto index, load_index(release, suite, component, arch));
    out.push_back(std::move(index));
  }
  return out;
}

core::Result<std::vector<std::shared_ptr<const PackageIndex>>> Repository::load_indices(
    const std::string& arch) {
  if (config_.components.empty()) return core::make_error("repository", "no components configured");
  std::vector<std::string> suites = config_.distro.suites();
  using SuiteResult = core::Result<std::vector<std::shared_ptr<const PackageIndex>>>;
  std::vector<std::optional<SuiteResult>> results(suites.size());
  DISTILL_TRY(core::run_parallel(suites.size(), kIndexWorkers, [&](size_t i) {
    results[i].emplace(load_suite(suites[i], arch));
    return core::Status::Ok();
  }));
  std::vector<std::shared_ptr<const PackageIndex>> all;
  for (auto& r : results) {
    if (!r->ok()) return r->error();
    for (auto& index : r->value()) all.push_back(std::move(index));
  }
  return all;
}

core::Result<std::string> Repository::download(const PackageFetch& item, core::Progress* progress) {
  std::string url = strip_slashes(item.base_url) + "/" + item.filename;
  auto produce = [&](const net::BodySink& sink, const std::function<void()>& restart) {
    int64_t received = 0;
    net::BodySink counting = [&](std::string_view chunk) {
      if (!sink(chunk)) return false;
      received += static_cast<int64_t>(chunk.size());
      if (progress) progress->add_bytes(static_cast<int64_t>(chunk.size()));
      return true;
    };
    return fetcher_.get_to(url, counting, [&] {
      restart();
      if (progress) progress->add_bytes(-received);
      received = 0;
    });
  };
  auto stored = cache_.store_streaming(item.sha256, item.size, produce, url);
  if (!stored.ok()) return stored.error().with_where(item.name);
  return stored;
}

core::Result<std::vector<std::string>> Repository::fetch(const std::vector<PackageFetch>& items) {
  std::vector<std::optional<std::string>> paths(items.size());
  std::vector<size_t> missing;
  std::optional<size_t> first_corrupt;
  uint64_t missing_bytes = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    bool corrupt = false;
    if (auto hit = cache_.lookup(items[i].sha256, items[i].size, &corrupt)) {
      paths[i] = std::move(*hit);
    } else {
      missing.push_back(i);
      missing_bytes += items[i].size;
      if (corrupt && !first_corrupt) first_corrupt = i;
    }
  }
  // Offline, a cached .deb replaced by other bytes is named as such: that
  // is what `verify --rebuild` reports. Online it is downloaded again.
  if (config_.offline && first_corrupt) {
    const PackageFetch& bad = items[*first_corrupt];
    return core::make_error(bad.version.empty() ? bad.name : bad.name + " " + bad.version,
                            bad.filename + " in the cache is not the pinned .deb (size " +
                                std::to_string(bad.size) + ", sha256 " + bad.sha256 +
                                "); it was removed from the cache",
                            "run once without --offline to download the pinned one");
  }
  if (config_.offline && !missing.empty()) {
    const PackageFetch& first = items[missing.front()];
    std::string more =
        missing.size() > 1 ? fmt::format(" (and {} more packages)", missing.size() - 1) : "";
    return core::make_error(first.name, first.filename + " is not in the cache" + more,
                            "run once without --offline to download it");
  }

  std::optional<core::Progress> progress;
  if (config_.progress && !missing.empty())
    progress.emplace("Downloading", missing.size(), missing_bytes);
  // The first error stops the downloads not yet started: it is what the user sees.
  core::Status st = core::run_parallel(missing.size(), config_.parallel_downloads, [&](size_t k) {
    size_t i = missing[k];
    auto r = download(items[i], progress ? &*progress : nullptr);
    if (progress) progress->item_done();
    if (!r.ok()) return core::Status(r.error());
    paths[i] = std::move(r).value();
    return core::Status::Ok();
  });
  if (progress) progress->finish();
  DISTILL_TRY(st);

  std::vector<std::string> out;
  out.reserve(paths.size());
  for (auto& p : paths) out.push_back(std::move(*p));
  return out;
}

}  // namespace distill::debian
