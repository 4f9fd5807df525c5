#pragma once

// A signed Debian archive served from memory, for tests that build images:
// real .debs made by dpkg-deb, Packages indices, InReleases clear-signed by
// the test key (unit/debian/test_gpg.hpp), and a Repository reading them
// through a fake HTTP transport.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cache/cache.hpp"
#include "core/clock.hpp"
#include "core/file_util.hpp"
#include "core/process.hpp"
#include "core/sha256.hpp"
#include "core/temp_dir.hpp"
#include "core/time.hpp"
#include "debian/distro.hpp"
#include "debian/release.hpp"
#include "debian/repository.hpp"
#include "net/fetcher.hpp"
#include "net/http.hpp"
#include "unit/debian/test_gpg.hpp"

namespace distill::builder::test_util {

inline const std::string kArchiveUrl = "http://127.0.0.1:9/debian";
inline const std::string kSecurityUrl = "http://127.0.0.1:9/debian-security";

// URL -> body; anything else is a 404. Counts requests.
class MemoryTransport : public net::HttpTransport {
 public:
  void serve(const std::string& url, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    files_[url] = std::move(body);
  }
  size_t request_count() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  core::Result<net::HttpResponse> send(const net::HttpRequest& req,
                                       const net::BodySink* sink) override {
    net::HttpResponse resp;
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_;
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
    if (!(*sink)(body)) return core::make_error(req.url, "transfer aborted by the receiver");
    return resp;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> files_;
  size_t requests_ = 0;
};

// One package of the archive: its files (path without '/' -> content).
struct FakePackage {
  std::string name;
  std::string version = "1.0";
  std::string depends;
  std::map<std::string, std::string> files;
  bool postinst = false;
};

// The packages the `static` preset resolves (and ca-certificates, which it
// only extracts), with a file each.
inline std::vector<FakePackage> static_preset_packages() {
  return {
      {"base-files", "12.4", "", {{"etc/debian_version", "12.4\n"}}, true},
      {"netbase", "6.4", "", {{"etc/protocols", "ip 0 IP\n"}}},
      {"tzdata", "2024a-0", "", {{"usr/share/zoneinfo/UTC", "TZif2 fake\n"}}},
      {"media-types", "10.0.0", "", {{"etc/mime.types", "text/plain txt\n"}}},
      {"ca-certificates",
       "20230311",
       "",
       {{"usr/share/ca-certificates/mozilla/Test_Root.crt",
         "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}}},
  };
}

class SignedArchive {
 public:
  // Builds and publishes `packages` (amd64) in bookworm; the -updates and
  // -security suites are published empty. Fails the test on any error.
  void publish(const std::vector<FakePackage>& packages) {
    const testkit::TestGpg* gpg = testkit::TestGpg::get();
    ASSERT_NE(gpg, nullptr) << "gpg and gpgv are needed (scripts/install-deps.sh)";
    ASSERT_FALSE(core::find_program("dpkg-deb").empty()) << "dpkg-deb is needed";
    keyring_ = gpg->keyring();
    std::string index;
    for (const auto& p : packages) {
      std::string deb = build_deb(p);
      ASSERT_FALSE(deb.empty()) << p.name;
      std::string filename =
          "pool/main/" + p.name.substr(0, 1) + "/" + p.name + "/" + p.name + "_amd64.deb";
      transport_.serve(kArchiveUrl + "/" + filename, deb);
      index += stanza(p, filename, deb) + "\n";
    }
    publish_suite("bookworm", "stable", index, *gpg);
    publish_suite("bookworm-updates", "stable-updates", "", *gpg);
    publish_suite("bookworm-security", "stable-security", "", *gpg);
  }

  // A repository client over the archive, with its cache in `cache_root`.
  void open(const std::string& cache_root) {
    auto c = cache::Cache::open(cache_root);
    ASSERT_TRUE(c.ok()) << c.error().message();
    cache_ = std::make_unique<cache::Cache>(std::move(c).value());
    fetcher_ = std::make_unique<net::Fetcher>(transport_, core::system_clock());
    debian::RepositoryConfig config;
    config.distro = debian::find_distro("bookworm").value();
    config.mirrors = {kArchiveUrl + "/", kSecurityUrl};
    config.keyring = keyring_;
    repo_ = std::make_unique<debian::Repository>(
        config, *fetcher_, *cache_, core::system_process_runner(), core::system_clock());
  }

  debian::Repository& repo() { return *repo_; }
  cache::Cache& cache() { return *cache_; }
  MemoryTransport& transport() { return transport_; }

 private:
  static std::string stanza(const FakePackage& p, const std::string& filename,
                            const std::string& deb) {
    std::string s = "Package: " + p.name + "\nVersion: " + p.version +
                    "\nArchitecture: amd64\nMaintainer: Test <t@example.invalid>\n";
    if (!p.depends.empty()) s += "Depends: " + p.depends + "\n";
    return s + "Priority: optional\nFilename: " + filename +
           "\nSize: " + std::to_string(deb.size()) + "\nSHA256: " + core::sha256_hex(deb) +
           "\nDescription: test package\n";
  }

  static bool put(const std::string& path, const std::string& content, int mode) {
    if (!core::make_dirs(path.substr(0, path.rfind('/'))).ok()) return false;
    if (!core::write_file_atomic(path, content, mode).ok()) return false;
    return ::chmod(path.c_str(), static_cast<mode_t>(mode)) == 0;
  }

  // The package as dpkg-deb builds it; empty on failure (with the reason).
  static std::string build_deb(const FakePackage& p) {
    auto dir = core::TempDir::create();
    if (!dir.ok()) return "";
    std::string root = dir->path() + "/root";
    std::string control = "Package: " + p.name + "\nVersion: " + p.version +
                          "\nArchitecture: amd64\nMaintainer: Test <t@example.invalid>\n"
                          "Description: test package\n";
    bool ok = put(root + "/DEBIAN/control", control, 0644);
    if (p.postinst) ok = ok && put(root + "/DEBIAN/postinst", "#!/bin/sh\nexit 0\n", 0755);
    for (const auto& [path, content] : p.files) ok = ok && put(root + "/" + path, content, 0644);
    if (!ok) return "";
    std::string out = dir->path() + "/p.deb";
    auto r = core::system_process_runner().run(
        {"dpkg-deb", "--build", "--root-owner-group", "-Zgzip", root, out});
    EXPECT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->err : r.error().message());
    if (!r.ok() || r->exit_code != 0) return "";
    auto data = core::read_file(out);
    return data.ok() ? *data : "";
  }

  void publish_suite(const std::string& suite, const std::string& field, const std::string& index,
                     const testkit::TestGpg& gpg) {
    const std::string& base = debian::Distro::is_security_suite(suite) ? kSecurityUrl : kArchiveUrl;
    const std::string dists = base + "/dists/" + suite;
    std::string hash = core::sha256_hex(index);
    transport_.serve(dists + "/main/binary-amd64/Packages", index);
    transport_.serve(dists + "/main/binary-amd64/by-hash/SHA256/" + hash, index);
    int64_t now = core::system_clock().now();
    std::string release =
        "Origin: Debian\nLabel: Debian\nSuite: " + field + "\nCodename: " + suite +
        "\nDate: " + core::format_rfc2822_date(now - 3600) +
        "\nValid-Until: " + core::format_rfc2822_date(now + 7 * 86400) +
        "\nAcquire-By-Hash: yes\nArchitectures: amd64\nComponents: main\n"
        "SHA256:\n " +
        hash + " " + std::to_string(index.size()) + " main/binary-amd64/Packages\n";
    transport_.serve(dists + "/InRelease", gpg.clearsign(release));
  }

  MemoryTransport transport_;
  std::string keyring_;
  std::unique_ptr<cache::Cache> cache_;
  std::unique_ptr<net::Fetcher> fetcher_;
  std::unique_ptr<debian::Repository> repo_;
};

}  // namespace distill::builder::test_util
