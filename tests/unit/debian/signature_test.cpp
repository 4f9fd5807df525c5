#include "debian/signature.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/process.hpp"
#include "unit/debian/test_gpg.hpp"

using distill::core::SystemProcessRunner;
using distill::debian::judge_gpgv_status;
using distill::debian::parse_gpgv_status;
using distill::debian::SignatureVerifier;
using distill::testkit::TestGpg;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

const std::string kRelease =
    "Origin: Debian\n"
    "Suite: stable\n"
    "Codename: bookworm\n"
    "SHA256:\n"
    " 0000000000000000000000000000000000000000000000000000000000000000 0 main/x\n";

const std::string kUrl = "http://127.0.0.1:9/debian/dists/bookworm/InRelease";

struct Verified {
  bool ok;
  std::string text;  // content or error message
};

Verified verify(const std::string& doc, const std::string& keyring) {
  SystemProcessRunner runner;
  SignatureVerifier v(runner, keyring);
  auto r = v.verify_clearsigned(doc, kUrl);
  if (r.ok()) return {true, *r};
  return {false, r.error().message()};
}

TEST(Signature, GoodSignatureReturnsSignedContent) {
  DISTILL_REQUIRE_GPG(gpg);
  std::string doc = gpg->clearsign(kRelease);
  ASSERT_THAT(doc, HasSubstr("-----BEGIN PGP SIGNATURE-----"));
  auto v = verify(doc, gpg->keyring());
  ASSERT_TRUE(v.ok) << v.text;
  EXPECT_EQ(v.text, kRelease);
}

TEST(Signature, TamperedContentIsABadSignature) {
  DISTILL_REQUIRE_GPG(gpg);
  std::string doc = gpg->clearsign(kRelease);
  auto pos = doc.find("Codename: bookworm");
  ASSERT_NE(pos, std::string::npos);
  doc.replace(pos, 18, "Codename: trixie__");
  auto v = verify(doc, gpg->keyring());
  ASSERT_FALSE(v.ok);
  EXPECT_THAT(v.text,
              HasSubstr(kUrl + ": bad signature by key " + gpg->key_id(TestGpg::Signer::kGood)));
}

TEST(Signature, UnsignedReleaseIsRefusedBeforeGpgv) {
  DISTILL_REQUIRE_GPG(gpg);
  auto v = verify(kRelease, gpg->keyring());
  ASSERT_FALSE(v.ok);
  EXPECT_THAT(v.text, HasSubstr(kUrl + ": not signed"));
}

TEST(Signature, HeaderWithoutSignatureIsNotSigned) {
  DISTILL_REQUIRE_GPG(gpg);
  std::string doc = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + kRelease;
  auto v = verify(doc, gpg->keyring());
  ASSERT_FALSE(v.ok);
  EXPECT_THAT(v.text, HasSubstr("not signed"));
}

TEST(Signature, UnknownKeyIsNamed) {
  DISTILL_REQUIRE_GPG(gpg);
  std::string doc = gpg->clearsign(kRelease, TestGpg::Signer::kUntrusted);
  auto v = verify(doc, gpg->keyring());
  ASSERT_FALSE(v.ok);
  std::string id = gpg->key_id(TestGpg::Signer::kUntrusted);
  ASSERT_EQ(id.size(), 16u);
  EXPECT_THAT(v.text, HasSubstr("signed by an unknown key " + id));
}

TEST(Signature, ExpiredKeyIsRefused) {
  DISTILL_REQUIRE_GPG(gpg);
  std::string doc = gpg->clearsign(kRelease, TestGpg::Signer::kExpiredKey);
  ASSERT_FALSE(doc.empty());
  auto v = verify(doc, gpg->keyring());
  ASSERT_FALSE(v.ok);  // gpgv itself exits 0 here: only the status lines tell
  EXPECT_THAT(v.text, HasSubstr("signed by an expired key"));
}

TEST(Signature, ExpiredSignatureIsRefused) {
  DISTILL_REQUIRE_GPG(gpg);
  std::string doc = gpg->clearsign(kRelease, TestGpg::Signer::kExpiredSig);
  ASSERT_FALSE(doc.empty());
  auto v = verify(doc, gpg->keyring());
  ASSERT_FALSE(v.ok);
  EXPECT_THAT(v.text, HasSubstr("has expired"));
}

TEST(Signature, TextAppendedAfterTheSignatureIsNotReturned) {
  DISTILL_REQUIRE_GPG(gpg);
  std::string doc = gpg->clearsign(kRelease);
  doc += "Valid-Until: Sat, 01 Jan 2050 00:00:00 UTC\nInjected: yes\n";
  auto v = verify(doc, gpg->keyring());
  ASSERT_TRUE(v.ok) << v.text;
  EXPECT_EQ(v.text, kRelease);
  EXPECT_THAT(v.text, Not(HasSubstr("Injected")));
}

TEST(Signature, TextBeforeTheSignedBlockIsRefused) {
  DISTILL_REQUIRE_GPG(gpg);
  std::string doc = "Injected: yes\n\n" + gpg->clearsign(kRelease);
  auto v = verify(doc, gpg->keyring());
  ASSERT_FALSE(v.ok);
  EXPECT_THAT(v.text, HasSubstr("not signed"));
}

TEST(Signature, TwoSignedMessagesAreRefused) {
  DISTILL_REQUIRE_GPG(gpg);
  std::string doc = gpg->clearsign(kRelease) + gpg->clearsign("Injected: yes\n");
  auto v = verify(doc, gpg->keyring());
  ASSERT_FALSE(v.ok);
  EXPECT_THAT(v.text, HasSubstr("more than one signed message"));
}

TEST(Signature, MissingKeyringIsReportedWithHint) {
  SystemProcessRunner runner;
  SignatureVerifier v(runner, "/nonexistent/keyring.gpg");
  auto r = v.verify_clearsigned("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nx\n", kUrl);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "/nonexistent/keyring.gpg");
  EXPECT_THAT(r.error().hint, HasSubstr("--keyring"));
}

TEST(Signature, DefaultKeyringIsDebians) {
  SystemProcessRunner runner;
  EXPECT_EQ(SignatureVerifier(runner).keyring(), "/usr/share/keyrings/debian-archive-keyring.gpg");
  EXPECT_EQ(SignatureVerifier(runner, "/k.gpg").keyring(), "/k.gpg");
}

// A scripted gpgv: proves the verdict comes from the status lines, not from
// the exit code or from stdout.
class ScriptedRunner : public distill::core::ProcessRunner {
 public:
  distill::core::ProcessResult answer;
  std::vector<std::string> argv;
  std::string stdin_data;
  distill::core::Result<distill::core::ProcessResult> run(const std::vector<std::string>& a,
                                                          const std::string& in) override {
    argv = a;
    stdin_data = in;
    return answer;
  }
};

TEST(Signature, RunsGpgvWithStatusAndOutput) {
  DISTILL_REQUIRE_GPG(gpg);
  ScriptedRunner runner;
  runner.answer.exit_code = 0;
  runner.answer.out = "Origin: Debian\n";
  runner.answer.err = "[GNUPG:] GOODSIG AAAA Test\n[GNUPG:] VALIDSIG AAAABBBB 2026-01-01\n";
  SignatureVerifier v(runner, gpg->keyring());
  std::string doc = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nOrigin: Debian\n";
  auto r = v.verify_clearsigned(doc, kUrl);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, "Origin: Debian\n");
  EXPECT_EQ(runner.stdin_data, doc);
  EXPECT_THAT(runner.argv, ::testing::ElementsAre("gpgv", "--status-fd", "2", "--keyring",
                                                  gpg->keyring(), "--output", "-", "-"));
}

TEST(Signature, StatusLinesInStdoutAreNotBelieved) {
  DISTILL_REQUIRE_GPG(gpg);
  ScriptedRunner runner;
  runner.answer.exit_code = 0;
  runner.answer.out = "[GNUPG:] GOODSIG AAAA Test\n[GNUPG:] VALIDSIG AAAABBBB 2026-01-01\n";
  runner.answer.err = "[GNUPG:] NODATA 1\n";
  SignatureVerifier v(runner, gpg->keyring());
  auto r = v.verify_clearsigned("-----BEGIN PGP SIGNED MESSAGE-----\n", kUrl);
  EXPECT_FALSE(r.ok());
}

TEST(GpgvStatus, ParsesKeywords) {
  auto st = parse_gpgv_status(
      "gpgv: Signature made today\n"
      "[GNUPG:] NEWSIG\n"
      "[GNUPG:] GOODSIG 05F1B876969AA997 Test <t@example.invalid>\n"
      "[GNUPG:] VALIDSIG CB54D2862DF27324C07196A905F1B876969AA997 2026-11-28 1795906337 0 4\n"
      "[GNUPG:] ERRSIG F43A97E9C006DA42 22 8 01 1795906348 9 4DEC\n"
      "[GNUPG:] NO_PUBKEY F43A97E9C006DA42\n"
      "[GNUPG:] EXPKEYSIG AA50ACB9D7263F7E Old\n"
      "[GNUPG:] EXPSIG BF26FA6E3835DF51 Past\n"
      "[GNUPG:] REVKEYSIG 1111111111111111 Rev\n"
      "[GNUPG:] BADSIG 2222222222222222 Bad\n"
      "  [GNUPG:] GOODSIG 3333333333333333 indented lines are not status lines\n");
  EXPECT_THAT(st.good, ::testing::ElementsAre("05F1B876969AA997"));
  EXPECT_THAT(st.valid, ::testing::ElementsAre("CB54D2862DF27324C07196A905F1B876969AA997"));
  EXPECT_THAT(st.no_pubkey, ::testing::ElementsAre("F43A97E9C006DA42"));
  EXPECT_THAT(st.expired_key, ::testing::ElementsAre("AA50ACB9D7263F7E"));
  EXPECT_THAT(st.expired_sig, ::testing::ElementsAre("BF26FA6E3835DF51"));
  EXPECT_THAT(st.revoked_key, ::testing::ElementsAre("1111111111111111"));
  EXPECT_THAT(st.bad, ::testing::ElementsAre("2222222222222222"));
  EXPECT_TRUE(st.errsig.empty());
  EXPECT_FALSE(st.nodata);
}

TEST(GpgvStatus, JudgesEachFailure) {
  auto judge = [](const std::string& status) {
    auto s = judge_gpgv_status(parse_gpgv_status(status), "f");
    return s.ok() ? std::string("ok") : s.error().message();
  };
  const std::string good = "[GNUPG:] GOODSIG A T\n[GNUPG:] VALIDSIG AF 1\n";
  EXPECT_EQ(judge(good), "ok");
  EXPECT_THAT(judge("[GNUPG:] GOODSIG A T\n"), HasSubstr("no valid signature"));
  EXPECT_THAT(judge(""), HasSubstr("no valid signature"));
  EXPECT_THAT(judge("[GNUPG:] NODATA 1\n"), HasSubstr("f: not signed"));
  EXPECT_THAT(judge(good + "[GNUPG:] BADSIG B T\n"), HasSubstr("bad signature by key B"));
  EXPECT_THAT(judge(good + "[GNUPG:] REVKEYSIG R T\n"), HasSubstr("revoked key R"));
  EXPECT_THAT(judge(good + "[GNUPG:] EXPKEYSIG E T\n"), HasSubstr("expired key E"));
  EXPECT_THAT(judge(good + "[GNUPG:] EXPSIG S T\n"), HasSubstr("S has expired"));
  EXPECT_THAT(judge(good + "[GNUPG:] ERRSIG K 22 8 01 1795906348 9 KFPR\n[GNUPG:] NO_PUBKEY K\n"),
              HasSubstr("unknown key K"));
  EXPECT_THAT(judge(good + "[GNUPG:] ERRSIG K 22 8 01 1795906348 9 KFPR\n"),
              HasSubstr("unknown key K"));
  EXPECT_THAT(judge(good + "[GNUPG:] ERRSIG U 99 8 01 1795906348 4 UFPR\n"),
              HasSubstr("signature by key U could not be checked"));
}

}  // namespace
