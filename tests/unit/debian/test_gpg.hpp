#pragma once

// Real OpenPGP keys for signature tests, made once per test process in a
// private GNUPGHOME (ed25519 keys take milliseconds). Keys:
//   good      - valid, exported to keyring()
//   untrusted - valid, NOT in keyring()
//   expired   - created in 2020 with a one-day lifetime, in keyring()
//   past      - created in 2020 without expiry, in keyring(); signs with a
//               one-day signature lifetime (EXPSIG)

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/file_util.hpp"
#include "core/process.hpp"
#include "core/temp_dir.hpp"

namespace distill::testkit {

class TestGpg {
 public:
  enum class Signer { kGood, kUntrusted, kExpiredKey, kExpiredSig };

  // nullptr when gpg or gpgv is not installed (the caller skips).
  static const TestGpg* get() {
    static std::unique_ptr<TestGpg> instance = make();
    return instance.get();
  }

  ~TestGpg() {
    if (!core::find_program("gpgconf").empty())
      (void)runner_.run({"gpgconf", "--homedir", home(), "--kill", "gpg-agent"});
  }

  const std::string& home() const { return dir_->path(); }
  std::string keyring() const { return dir_->path() + "/trusted.gpg"; }

  // Clear-signs `text`; empty on failure (the test then fails on it).
  std::string clearsign(const std::string& text, Signer who = Signer::kGood) const {
    std::vector<std::string> argv = gpg_argv();
    switch (who) {
      case Signer::kGood:
        argv.insert(argv.end(), {"--local-user", "<good@example.invalid>"});
        break;
      case Signer::kUntrusted:
        argv.insert(argv.end(), {"--local-user", "<untrusted@example.invalid>"});
        break;
      case Signer::kExpiredKey:
        argv.insert(argv.end(), {"--local-user", "<expired@example.invalid>", "--faked-system-time",
                                 "20200101T120000!"});
        break;
      case Signer::kExpiredSig:
        argv.insert(argv.end(), {"--local-user", "<past@example.invalid>", "--faked-system-time",
                                 "20200101T120000!", "--default-sig-expire", "1d"});
        break;
    }
    argv.insert(argv.end(), {"--clearsign", "--output", "-", "-"});
    auto r = runner_.run(argv, text);
    if (!r.ok() || r->exit_code != 0) {
      ADD_FAILURE() << "gpg --clearsign failed: " << (r.ok() ? r->err : r.error().message());
      return {};
    }
    return r->out;
  }

  // The 16-hex-digit key id of a signer (as gpgv's status lines print it).
  std::string key_id(Signer who) const {
    const char* email = who == Signer::kGood         ? "<good@example.invalid>"
                        : who == Signer::kUntrusted  ? "<untrusted@example.invalid>"
                        : who == Signer::kExpiredKey ? "<expired@example.invalid>"
                                                     : "<past@example.invalid>";
    std::vector<std::string> argv = gpg_argv();
    argv.insert(argv.end(), {"--with-colons", "--list-keys", email});
    auto r = runner_.run(argv);
    if (!r.ok()) return {};
    size_t pos = r->out.find("\nfpr:");
    if (pos == std::string::npos) return {};
    size_t start = r->out.find_first_not_of(':', pos + 5);
    std::string fpr = r->out.substr(start, 40);
    return fpr.substr(fpr.size() - 16);
  }

 private:
  explicit TestGpg(core::TempDir dir) : dir_(std::make_unique<core::TempDir>(std::move(dir))) {}

  std::vector<std::string> gpg_argv() const {
    return {"gpg",     "--homedir",       home(),     "--batch",      "--yes",
            "--quiet", "--pinentry-mode", "loopback", "--passphrase", ""};
  }

  bool run_ok(std::vector<std::string> extra) const {
    std::vector<std::string> argv = gpg_argv();
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = runner_.run(argv);
    if (!r.ok() || r->exit_code != 0) {
      ADD_FAILURE() << "gpg failed: " << (r.ok() ? r->err : r.error().message());
      return false;
    }
    return true;
  }

  static std::unique_ptr<TestGpg> make() {
    if (core::find_program("gpg").empty() || core::find_program("gpgv").empty()) return nullptr;
    auto dir = core::TempDir::create({}, "distill-gpg");
    if (!dir.ok()) return nullptr;
    std::unique_ptr<TestGpg> g(new TestGpg(std::move(dir).value()));
    bool ok =
        g->run_ok({"--quick-gen-key", "Good <good@example.invalid>", "ed25519", "sign", "2d"}) &&
        g->run_ok({"--quick-gen-key", "Untrusted <untrusted@example.invalid>", "ed25519", "sign",
                   "2d"}) &&
        g->run_ok({"--faked-system-time", "20200101T000000!", "--quick-gen-key",
                   "Expired <expired@example.invalid>", "ed25519", "sign", "1d"}) &&
        g->run_ok({"--faked-system-time", "20200101T000000!", "--quick-gen-key",
                   "Past <past@example.invalid>", "ed25519", "sign", "never"}) &&
        g->run_ok({"--output", g->keyring(), "--export", "<good@example.invalid>",
                   "<expired@example.invalid>", "<past@example.invalid>"});
    if (!ok) return nullptr;
    return g;
  }

  mutable core::SystemProcessRunner runner_;
  std::unique_ptr<core::TempDir> dir_;
};

}  // namespace distill::testkit

// Fails the current test when gpg/gpgv are missing: signatures are judged by
// the real tools, never skipped.
#define DISTILL_REQUIRE_GPG(var)                                               \
  const ::distill::testkit::TestGpg* var = ::distill::testkit::TestGpg::get(); \
  if (var == nullptr) GTEST_FAIL() << "gpg and gpgv are needed (scripts/install-deps.sh)"
