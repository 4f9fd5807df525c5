#include "debian/repository.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>

#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/temp_dir.hpp"
#include "core/time.hpp"
#include "debian/release.hpp"
#include "unit/debian/test_gpg.hpp"

using namespace distill;
using debian::PackageFetch;
using debian::Repository;
using debian::RepositoryConfig;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testkit::TestGpg;

namespace {

const std::string kArchive = "http://127.0.0.1:9/debian";
const std::string kSecurity = "http://127.0.0.1:9/debian-security";

class FakeClock : public core::Clock {
 public:
  explicit FakeClock(int64_t t) : t_(t) {}
  int64_t now() const override { return t_.load(); }
  void sleep_for(std::chrono::milliseconds d) override {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(d);
  }
  void set(int64_t t) { t_ = t; }
  std::vector<std::chrono::milliseconds> sleeps() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  std::atomic<int64_t> t_;
  std::mutex mu_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

// An in-memory web server: URL -> body, with optional scripted failures.
class FakeTransport : public net::HttpTransport {
 public:
  void serve(const std::string& url, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    files_[url] = std::move(body);
  }
  void remove(const std::string& url) {
    std::lock_guard<std::mutex> lock(mu_);
    files_.erase(url);
  }
  // The next requests of `url` get these statuses before the real answer.
  void fail_first(const std::string& url, std::vector<long> statuses) {
    std::lock_guard<std::mutex> lock(mu_);
    for (long s : statuses) failures_[url].push_back(s);
  }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  void clear_requests() {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.clear();
  }

  core::Result<net::HttpResponse> send(const net::HttpRequest& req,
                                       const net::BodySink* sink) override {
    std::string body;
    net::HttpResponse resp;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req.url);
      auto& queue = failures_[req.url];
      if (!queue.empty()) {
        resp.status = queue.front();
        queue.pop_front();
        resp.body = "busy";
        return resp;
      }
      auto it = files_.find(req.url);
      if (it == files_.end()) {
        resp.status = 404;
        resp.body = "not found";
        return resp;
      }
      body = it->second;
    }
    resp.status = 200;
    if (sink == nullptr) {
      resp.body = std::move(body);
      return resp;
    }
    for (size_t off = 0; off < body.size(); off += 1000) {
      if (!(*sink)(std::string_view(body).substr(off, 1000)))
        return core::make_error(req.url, "transfer aborted by the receiver")
            .with_code(core::ErrorCode::kAborted);
    }
    return resp;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> files_;
  std::map<std::string, std::deque<long>> failures_;
  std::vector<std::string> requests_;
};

std::string compress_index(const std::string& data, bool xz) {
  archive* a = archive_write_new();
  if (xz)
    archive_write_add_filter_xz(a);
  else
    archive_write_add_filter_gzip(a);
  archive_write_set_format_raw(a);
  archive_write_set_bytes_in_last_block(a, 1);
  std::vector<char> buf(data.size() + (1 << 16));
  size_t used = 0;
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  archive_entry* e = archive_entry_new();
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_pathname(e, "Packages");
  archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
  archive_write_header(a, e);
  archive_write_data(a, data.data(), data.size());
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

struct Deb {
  std::string name;
  std::string filename;
  std::string content;
};

Deb make_deb(const std::string& name, const std::string& version) {
  std::string filename =
      "pool/main/" + name.substr(0, 1) + "/" + name + "/" + name + "_" + version + "_amd64.deb";
  return {name, filename, "!<arch>\nfake deb of " + name + " " + version + "\n"};
}

std::string stanza(const Deb& deb, const std::string& version) {
  return "Package: " + deb.name + "\nVersion: " + version +
         "\nArchitecture: amd64\nMaintainer: Test <t@example.invalid>\nFilename: " + deb.filename +
         "\nSize: " + std::to_string(deb.content.size()) +
         "\nSHA256: " + core::sha256_hex(deb.content) + "\nDescription: test package\n";
}

// What a suite's InRelease says and which index files get served.
struct SuiteSpec {
  std::string suite;        // the URL name, e.g. bookworm-security
  std::string suite_field;  // Suite:
  std::string codename;     // Codename:
  bool by_hash = true;
  std::vector<std::string> variants = {".xz", ".gz", ""};  // listed in the Release
  bool list_plain = true;                                  // list the uncompressed Packages hash
  int64_t date = 0;
  int64_t valid_until = 0;  // 0: no Valid-Until
};

class RepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gpg_ = TestGpg::get();
    if (gpg_ == nullptr) GTEST_FAIL() << "gpg and gpgv are needed (scripts/install-deps.sh)";
    auto d = core::TempDir::create();
    ASSERT_TRUE(d.ok());
    dir_ = std::make_unique<core::TempDir>(std::move(d).value());
    auto c = cache::Cache::open(dir_->path() + "/cache");
    ASSERT_TRUE(c.ok());
    cache_ = std::make_unique<cache::Cache>(std::move(c).value());
    clock_ = std::make_unique<FakeClock>(core::system_clock().now());
    fetcher_ = std::make_unique<net::Fetcher>(transport_, *clock_);
    config_.distro = debian::find_distro("bookworm").value();
    config_.mirrors = {kArchive + "/", kSecurity};
    config_.keyring = gpg_->keyring();
    config_.parallel_downloads = 3;
    for (const auto& [suite, field, codename] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"bookworm", "stable", "bookworm"},
             {"bookworm-updates", "stable-updates", "bookworm-updates"},
             {"bookworm-security", "stable-security", "bookworm-security"}}) {
      SuiteSpec s;
      s.suite = suite;
      s.suite_field = field;
      s.codename = codename;
      s.date = clock_->now() - 3600;
      s.valid_until = clock_->now() + 7 * 86400;
      specs_[suite] = s;
    }
    for (const auto& [suite, spec] : specs_) publish(spec);
  }

  std::string base(const std::string& suite) const {
    return debian::Distro::is_security_suite(suite) ? kSecurity : kArchive;
  }
  std::string dists(const std::string& suite) const { return base(suite) + "/dists/" + suite; }

  std::string packages_text(const std::string& suite) {
    std::string version = suite == "bookworm" ? "1.0" : suite == "bookworm-updates" ? "1.1" : "1.2";
    Deb hello = make_deb("hello", version);
    Deb base = make_deb("base-files", "12." + version);
    debs_[suite] = {hello, base};
    return stanza(hello, version) + "\n" + stanza(base, "12." + version);
  }

  // Serves the suite's indices and its signed InRelease.
  void publish(const SuiteSpec& spec, const std::string& packages_override = {}) {
    std::string plain = packages_override.empty() ? packages_text(spec.suite) : packages_override;
    plain_[spec.suite] = plain;
    std::map<std::string, std::string> bodies{
        {"", plain}, {".xz", compress_index(plain, true)}, {".gz", compress_index(plain, false)}};
    std::string sha_lines;
    std::string dir = "main/binary-amd64/";
    for (const auto& [ext, body] : bodies) {
      bool listed = ext.empty() ? spec.list_plain
                                : std::find(spec.variants.begin(), spec.variants.end(), ext) !=
                                      spec.variants.end();
      if (!listed) continue;
      std::string hash = core::sha256_hex(body);
      sha_lines +=
          " " + hash + " " + std::to_string(body.size()) + " " + dir + "Packages" + ext + "\n";
      transport_.serve(dists(spec.suite) + "/" + dir + "Packages" + ext, body);
      transport_.serve(dists(spec.suite) + "/" + dir + "by-hash/SHA256/" + hash, body);
    }
    std::string release = "Origin: Debian\nLabel: Debian\nSuite: " + spec.suite_field +
                          "\nCodename: " + spec.codename +
                          "\nDate: " + core::format_rfc2822_date(spec.date) + "\n";
    if (spec.valid_until)
      release += "Valid-Until: " + core::format_rfc2822_date(spec.valid_until) + "\n";
    if (spec.by_hash) release += "Acquire-By-Hash: yes\n";
    release += "Architectures: amd64 arm64\nComponents: main contrib\nSHA256:\n" + sha_lines;
    serve_inrelease(spec.suite, gpg_->clearsign(release));
  }
  void serve_inrelease(const std::string& suite, const std::string& doc) {
    transport_.serve(dists(suite) + "/InRelease", doc);
  }

  void serve_debs() {
    for (const auto& [suite, debs] : debs_)
      for (const auto& d : debs) transport_.serve(kArchive + "/" + d.filename, d.content);
  }
  PackageFetch fetch_item(const Deb& d) {
    return {d.name,          "", "", kArchive + "/", d.filename, core::sha256_hex(d.content),
            d.content.size()};
  }

  std::unique_ptr<Repository> repo(const RepositoryConfig& config) {
    return std::make_unique<Repository>(config, *fetcher_, *cache_, runner_, *clock_);
  }
  std::unique_ptr<Repository> repo() { return repo(config_); }

  size_t count_requests(const std::string& needle) {
    size_t n = 0;
    for (const auto& r : transport_.requests()) n += r.find(needle) != std::string::npos;
    return n;
  }

  const TestGpg* gpg_ = nullptr;
  std::unique_ptr<core::TempDir> dir_;
  std::unique_ptr<cache::Cache> cache_;
  std::unique_ptr<FakeClock> clock_;
  FakeTransport transport_;
  std::unique_ptr<net::Fetcher> fetcher_;
  core::SystemProcessRunner runner_;
  RepositoryConfig config_;
  std::map<std::string, SuiteSpec> specs_;
  std::map<std::string, std::string> plain_;
  std::map<std::string, std::vector<Deb>> debs_;
};

TEST_F(RepositoryTest, LoadsEverySuiteThroughByHash) {
  auto indices = repo()->load_indices("amd64");
  ASSERT_TRUE(indices.ok()) << indices.error().message();
  ASSERT_EQ(indices->size(), 3u);
  EXPECT_EQ((*indices)[0]->origin().label(), "bookworm/main/amd64");
  EXPECT_EQ((*indices)[1]->origin().label(), "bookworm-updates/main/amd64");
  EXPECT_EQ((*indices)[2]->origin().label(), "bookworm-security/main/amd64");
  EXPECT_EQ((*indices)[0]->origin().base_url, kArchive);
  EXPECT_EQ((*indices)[2]->origin().base_url, kSecurity);
  EXPECT_EQ((*indices)[0]->origin().path, "main/binary-amd64/Packages");
  EXPECT_EQ((*indices)[0]->origin().sha256, core::sha256_hex(plain_["bookworm"]));
  ASSERT_EQ((*indices)[2]->entries().size(), 2u);
  EXPECT_EQ((*indices)[2]->entries()[0].name, "hello");
  EXPECT_EQ((*indices)[2]->entries()[0].version, "1.2");

  std::string xz_hash = core::sha256_hex(compress_index(plain_["bookworm"], true));
  auto reqs = transport_.requests();
  EXPECT_THAT(reqs, Contains(dists("bookworm") + "/main/binary-amd64/by-hash/SHA256/" + xz_hash));
  EXPECT_THAT(reqs, Contains(kSecurity + "/dists/bookworm-security/InRelease"));
  EXPECT_EQ(count_requests("/Packages"), 0u);  // never the mutable path
  EXPECT_EQ(reqs.size(), 6u);                  // 3 InRelease + 3 indices, nothing else
  // The InRelease is kept for --offline, and the decompressed index by its hash.
  EXPECT_TRUE(cache_->read_named(dists("bookworm") + "/InRelease").has_value());
  EXPECT_EQ(cache_->read(core::sha256_hex(plain_["bookworm"])), plain_["bookworm"]);
}

TEST_F(RepositoryTest, EachReleaseIsFetchedAndVerifiedOncePerRepository) {
  auto r = repo();
  ASSERT_TRUE(r->load_indices("amd64").ok());
  ASSERT_TRUE(r->index_origins("amd64").ok());
  ASSERT_TRUE(r->load_indices("amd64").ok());
  EXPECT_EQ(count_requests("/InRelease"), 3u);  // one per suite, for every later use
}

TEST_F(RepositoryTest, PlainPathWithoutAcquireByHashAndGzipFallback) {
  SuiteSpec s = specs_["bookworm"];
  s.by_hash = false;
  s.variants = {".gz"};
  publish(s);
  auto indices = repo()->load_indices("amd64");
  ASSERT_TRUE(indices.ok()) << indices.error().message();
  EXPECT_THAT(transport_.requests(),
              Contains(dists("bookworm") + "/main/binary-amd64/Packages.gz"));
  EXPECT_EQ(count_requests("bookworm/main/binary-amd64/by-hash"), 0u);
}

TEST_F(RepositoryTest, UncompressedOnly) {
  SuiteSpec s = specs_["bookworm"];
  s.by_hash = false;
  s.variants = {};
  publish(s);
  auto indices = repo()->load_indices("amd64");
  ASSERT_TRUE(indices.ok()) << indices.error().message();
  EXPECT_THAT(transport_.requests(), Contains(dists("bookworm") + "/main/binary-amd64/Packages"));
}

TEST_F(RepositoryTest, CompressedIndexHashMismatchIsRejected) {
  std::string xz = compress_index(plain_["bookworm"], true);
  std::string hash = core::sha256_hex(xz);
  // Same size, different bytes at the by-hash URL.
  std::string tampered = xz;
  tampered[tampered.size() / 2] ^= 0x55;
  transport_.serve(dists("bookworm") + "/main/binary-amd64/by-hash/SHA256/" + hash, tampered);
  auto indices = repo()->load_indices("amd64");
  ASSERT_FALSE(indices.ok());
  EXPECT_THAT(indices.error().message(),
              AllOf(HasSubstr(dists("bookworm") + "/main/binary-amd64/by-hash/SHA256/" + hash),
                    HasSubstr("SHA256 mismatch: expected " + hash)));
  EXPECT_FALSE(cache_->read(core::sha256_hex(plain_["bookworm"])).has_value());
}

TEST_F(RepositoryTest, OversizedIndexIsRejected) {
  std::string xz = compress_index(plain_["bookworm"], true);
  transport_.serve(dists("bookworm") + "/main/binary-amd64/by-hash/SHA256/" + core::sha256_hex(xz),
                   xz + std::string(5000, 'x'));
  auto indices = repo()->load_indices("amd64");
  ASSERT_FALSE(indices.ok());
  EXPECT_THAT(indices.error().message(), HasSubstr("size mismatch"));
  // Too many bytes stay too many: asked once, no backoff.
  EXPECT_EQ(count_requests("/by-hash/SHA256/" + core::sha256_hex(xz)), 1u);
  EXPECT_TRUE(clock_->sleeps().empty());
}

TEST_F(RepositoryTest, ReleaseMustListTheUncompressedIndex) {
  SuiteSpec s = specs_["bookworm-updates"];
  s.list_plain = false;
  publish(s);
  auto indices = repo()->load_indices("amd64");
  ASSERT_FALSE(indices.ok());
  EXPECT_THAT(indices.error().message(),
              HasSubstr("Release lists no hash for the uncompressed main/binary-amd64/Packages"));
}

TEST_F(RepositoryTest, MissingComponentOrArchitectureIsNamed) {
  RepositoryConfig config = config_;
  config.components = {"main", "contrib"};
  auto indices = repo(config)->load_indices("amd64");
  ASSERT_FALSE(indices.ok());
  EXPECT_THAT(
      indices.error().message(),
      HasSubstr("no Packages index for suite bookworm, component contrib, architecture amd64"));
  auto arm = repo()->load_indices("arm64");
  ASSERT_FALSE(arm.ok());
  EXPECT_THAT(arm.error().message(), HasSubstr("component main, architecture arm64"));
}

TEST_F(RepositoryTest, SecondLoadUsesTheCachedIndices) {
  ASSERT_TRUE(repo()->load_indices("amd64").ok());
  transport_.clear_requests();
  auto again = repo()->load_indices("amd64");
  ASSERT_TRUE(again.ok()) << again.error().message();
  auto reqs = transport_.requests();
  EXPECT_EQ(reqs.size(), 3u);  // the InRelease files only
  for (const auto& r : reqs) EXPECT_THAT(r, HasSubstr("/InRelease"));
  EXPECT_EQ((*again)[1]->entries()[0].version, "1.1");
}

TEST_F(RepositoryTest, OfflineUsesOnlyTheCache) {
  ASSERT_TRUE(repo()->load_indices("amd64").ok());
  transport_.clear_requests();
  RepositoryConfig config = config_;
  config.offline = true;
  auto indices = repo(config)->load_indices("amd64");
  ASSERT_TRUE(indices.ok()) << indices.error().message();
  EXPECT_EQ(indices->size(), 3u);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(RepositoryTest, OfflineWithAnEmptyCacheFails) {
  RepositoryConfig config = config_;
  config.offline = true;
  auto indices = repo(config)->load_indices("amd64");
  ASSERT_FALSE(indices.ok());
  EXPECT_THAT(indices.error().message(), HasSubstr("InRelease: not in the cache"));
  EXPECT_THAT(indices.error().hint, HasSubstr("without --offline"));
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(RepositoryTest, OfflineReverifiesTheCachedInRelease) {
  ASSERT_TRUE(repo()->load_indices("amd64").ok());
  // Someone edits the cached InRelease: the signature no longer matches.
  std::string key = dists("bookworm-updates") + "/InRelease";
  std::string doc = *cache_->read_named(key);
  doc.replace(doc.find("stable-updates"), 14, "stable-UPDATES");
  ASSERT_TRUE(cache_->write_named(key, doc).ok());
  RepositoryConfig config = config_;
  config.offline = true;
  auto indices = repo(config)->load_indices("amd64");
  ASSERT_FALSE(indices.ok());
  EXPECT_THAT(indices.error().message(), HasSubstr("bad signature"));
}

TEST_F(RepositoryTest, ExpiredValidUntilIsRejectedOnlineAndOffline) {
  ASSERT_TRUE(repo()->load_indices("amd64").ok());
  clock_->set(clock_->now() + 8 * 86400);
  auto online = repo()->load_indices("amd64");
  ASSERT_FALSE(online.ok());
  EXPECT_THAT(online.error().message(), HasSubstr("Release expired on"));
  RepositoryConfig config = config_;
  config.offline = true;
  auto offline = repo(config)->load_indices("amd64");
  ASSERT_FALSE(offline.ok());
  EXPECT_THAT(offline.error().message(), HasSubstr("Release expired on"));
}

TEST_F(RepositoryTest, TamperedInReleaseIsRejectedAndNotCached) {
  std::string url = dists("bookworm") + "/InRelease";
  auto doc = gpg_->clearsign("Suite: stable\nCodename: bookworm\nSHA256:\n");
  doc.replace(doc.find("stable"), 6, "stabl3");
  serve_inrelease("bookworm", doc);
  auto indices = repo()->load_indices("amd64");
  ASSERT_FALSE(indices.ok());
  EXPECT_THAT(indices.error().message(), HasSubstr(url + ": bad signature"));
  EXPECT_FALSE(cache_->read_named(url).has_value());
}

TEST_F(RepositoryTest, UnsignedOrForeignKeyInReleaseIsRejected) {
  serve_inrelease("bookworm-security", "Suite: stable-security\nSHA256:\n");
  auto unsigned_r = repo()->load_indices("amd64");
  ASSERT_FALSE(unsigned_r.ok());
  EXPECT_THAT(unsigned_r.error().message(),
              HasSubstr(kSecurity + "/dists/bookworm-security/InRelease: not signed"));

  serve_inrelease("bookworm-security", gpg_->clearsign("Suite: stable-security\nSHA256:\n",
                                                       TestGpg::Signer::kUntrusted));
  auto foreign = repo()->load_indices("amd64");
  ASSERT_FALSE(foreign.ok());
  EXPECT_THAT(foreign.error().message(), HasSubstr("signed by an unknown key"));
}

TEST_F(RepositoryTest, ReleaseOfAnotherSuiteIsRejected) {
  // A validly signed bookworm Release served as bookworm-security.
  net::HttpRequest req;
  req.url = dists("bookworm") + "/InRelease";
  std::string doc = transport_.send(req, nullptr).value().body;
  serve_inrelease("bookworm-security", doc);
  auto indices = repo()->load_indices("amd64");
  ASSERT_FALSE(indices.ok());
  EXPECT_THAT(
      indices.error().message(),
      HasSubstr("Release is for suite 'stable' (codename 'bookworm'), not 'bookworm-security'"));
}

TEST_F(RepositoryTest, FetchDownloadsVerifiesAndCaches) {
  serve_debs();
  std::vector<PackageFetch> items;
  for (const auto& [suite, debs] : debs_)
    for (const auto& d : debs) items.push_back(fetch_item(d));
  config_.progress = false;
  auto paths = repo()->fetch(items);
  ASSERT_TRUE(paths.ok()) << paths.error().message();
  ASSERT_EQ(paths->size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ((*paths)[i], cache_->blob_path(items[i].sha256));
    EXPECT_EQ(core::sha256_file((*paths)[i]).value(), items[i].sha256);
  }
  EXPECT_EQ(transport_.requests().size(), items.size());
  transport_.clear_requests();
  auto again = repo()->fetch(items);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *paths);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(RepositoryTest, FetchRejectsTamperedPackage) {
  Deb d = make_deb("evil", "1.0");
  PackageFetch item = fetch_item(d);
  std::string tampered = d.content;
  tampered[0] = '?';
  transport_.serve(kArchive + "/" + d.filename, tampered);
  auto paths = repo()->fetch({item});
  ASSERT_FALSE(paths.ok());
  EXPECT_EQ(paths.error().where, "evil: " + kArchive + "/" + d.filename);
  EXPECT_EQ(paths.error().what,
            "SHA256 mismatch: expected " + item.sha256 + ", got " + core::sha256_hex(tampered));
  EXPECT_FALSE(cache_->lookup(item.sha256).has_value());
}

TEST_F(RepositoryTest, FetchRetriesTransientErrorsWithoutSleepingForReal) {
  Deb d = make_deb("flaky", "1.0");
  transport_.serve(kArchive + "/" + d.filename, d.content);
  transport_.fail_first(kArchive + "/" + d.filename, {503, 503});
  auto paths = repo()->fetch({fetch_item(d)});
  ASSERT_TRUE(paths.ok()) << paths.error().message();
  EXPECT_EQ(core::read_file((*paths)[0]).value(), d.content);
  EXPECT_EQ(count_requests(d.filename), 3u);
  EXPECT_EQ(clock_->sleeps().size(), 2u);
}

TEST_F(RepositoryTest, FetchReportsHttpErrorsWithUrlAndPackage) {
  Deb d = make_deb("gone", "1.0");
  auto paths = repo()->fetch({fetch_item(d)});
  ASSERT_FALSE(paths.ok());
  EXPECT_THAT(paths.error().message(),
              AllOf(HasSubstr("gone: " + kArchive + "/" + d.filename), HasSubstr("HTTP 404")));
}

TEST_F(RepositoryTest, FetchOfflineNamesTheMissingPackage) {
  serve_debs();
  RepositoryConfig config = config_;
  config.offline = true;
  Deb d = debs_["bookworm"][0];
  auto paths = repo(config)->fetch({fetch_item(d)});
  ASSERT_FALSE(paths.ok());
  EXPECT_EQ(paths.error().where, "hello");
  EXPECT_THAT(paths.error().what, HasSubstr(d.filename + " is not in the cache"));
  EXPECT_TRUE(transport_.requests().empty());
  // Once downloaded, offline works.
  ASSERT_TRUE(repo()->fetch({fetch_item(d)}).ok());
  EXPECT_TRUE(repo(config)->fetch({fetch_item(d)}).ok());
}

TEST_F(RepositoryTest, FetchOfflineNamesACachedDebReplacedByOtherBytes) {
  serve_debs();
  Deb d = debs_["bookworm"][0];
  ASSERT_TRUE(repo()->fetch({fetch_item(d)}).ok());
  // Another .deb of the same size written over the cached one.
  const std::string sha = core::sha256_hex(d.content);
  std::string blob = cache_->blob_path(sha);
  std::string other(d.content.size(), 'x');
  ASSERT_EQ(::unlink(blob.c_str()), 0);
  ASSERT_TRUE(core::write_file_atomic(blob, other).ok());
  RepositoryConfig config = config_;
  config.offline = true;
  auto paths = repo(config)->fetch({fetch_item(d)});
  ASSERT_FALSE(paths.ok());
  EXPECT_EQ(paths.error().where, "hello");
  EXPECT_THAT(paths.error().what,
              AllOf(HasSubstr(d.filename + " in the cache is not the pinned .deb"),
                    HasSubstr("sha256 " + sha)));
  // Removed, so online it is downloaded again and verified.
  EXPECT_FALSE(core::path_exists(blob));
  ASSERT_TRUE(repo()->fetch({fetch_item(d)}).ok());
}

TEST_F(RepositoryTest, FetchManyInParallelWithProgress) {
  std::vector<PackageFetch> items;
  for (int i = 0; i < 20; ++i) {
    Deb d = make_deb("pkg" + std::to_string(i), "1.0");
    d.content += std::string(static_cast<size_t>(i) * 3000, 'z');
    transport_.serve(kArchive + "/" + d.filename, d.content);
    items.push_back(fetch_item(d));
  }
  RepositoryConfig config = config_;
  config.parallel_downloads = 4;
  config.progress = true;
  ::testing::internal::CaptureStderr();
  auto paths = repo(config)->fetch(items);
  std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(paths.ok()) << paths.error().message();
  for (size_t i = 0; i < items.size(); ++i)
    EXPECT_EQ(core::sha256_file((*paths)[i]).value(), items[i].sha256);
  EXPECT_THAT(err, HasSubstr("[20/20]"));
  EXPECT_EQ(err.back(), '\n');
}

}  // namespace
