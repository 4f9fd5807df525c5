#include "debian/release.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

using distill::debian::check_release_freshness;
using distill::debian::Release;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

const std::string kHashA = std::string(64, 'a');
const std::string kHashB = std::string(64, 'b');
constexpr int64_t kJul11 = 1783764997;  // Sat, 11 Jul 2026 10:16:37 UTC

std::string sample_release() {
  return "Origin: Debian\n"
         "Label: Debian-Security\n"
         "Suite: stable-security\n"
         "Version: 12\n"
         "Codename: bookworm-security\n"
         "Date: Sat, 11 Jul 2026 10:16:37 UTC\n"
         "Valid-Until: Sat, 18 Jul 2026 10:16:37 UTC\n"
         "Acquire-By-Hash: yes\n"
         "No-Support-for-Architecture-all: Packages\n"
         "Architectures: amd64 arm64 i386\n"
         "Components: updates/main main contrib\n"
         "Description: Debian 12 - Security Updates\n"
         "MD5Sum:\n"
         " 0123456789abcdef0123456789abcdef 1234 main/binary-amd64/Packages\n"
         "SHA256:\n"
         " " +
         kHashA +
         " 5000 main/binary-amd64/Packages\n"
         " " +
         kHashB + "   1200 main/binary-amd64/Packages.xz\n";
}

TEST(Release, ParsesFields) {
  auto r = Release::parse(sample_release(), "InRelease");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->origin, "Debian");
  EXPECT_EQ(r->label, "Debian-Security");
  EXPECT_EQ(r->suite, "stable-security");
  EXPECT_EQ(r->codename, "bookworm-security");
  EXPECT_EQ(r->date, kJul11);
  EXPECT_EQ(r->valid_until, kJul11 + 7 * 86400);
  EXPECT_TRUE(r->acquire_by_hash);
  EXPECT_THAT(r->architectures, ElementsAre("amd64", "arm64", "i386"));
  EXPECT_THAT(r->components, ElementsAre("updates/main", "main", "contrib"));
  ASSERT_EQ(r->files.size(), 2u);  // the MD5Sum list is not read
  EXPECT_EQ(r->files[1].sha256, kHashB);
  EXPECT_EQ(r->files[1].size, 1200u);
  EXPECT_EQ(r->files[1].path, "main/binary-amd64/Packages.xz");
}

TEST(Release, FindsIndexPaths) {
  auto r = Release::parse(sample_release(), "InRelease");
  ASSERT_TRUE(r.ok());
  const auto* f = r->find("main/binary-amd64/Packages");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->sha256, kHashA);
  EXPECT_EQ(f->size, 5000u);
  EXPECT_EQ(r->find("main/binary-arm64/Packages"), nullptr);
  EXPECT_EQ(r->find("main/binary-amd64"), nullptr);
}

TEST(Release, OptionalFieldsMayBeAbsent) {
  auto r = Release::parse("Suite: x\nSHA256:\n " + kHashA + " 1 a\n", "InRelease");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->date.has_value());
  EXPECT_FALSE(r->valid_until.has_value());
  EXPECT_FALSE(r->acquire_by_hash);
}

TEST(Release, RejectsBrokenInput) {
  auto err = [](const std::string& text) {
    auto r = Release::parse(text, "http://127.0.0.1/InRelease");
    return r.ok() ? std::string("ok") : r.error().message();
  };
  EXPECT_THAT(err("Suite: x\n"), HasSubstr("no SHA256 file list"));
  EXPECT_THAT(err("Suite: x\nSHA256:\n zz 1 a\n"), HasSubstr("malformed SHA256 hash"));
  EXPECT_THAT(err("Suite: x\nSHA256:\n " + kHashA + " 1x a\n"), HasSubstr("invalid size"));
  EXPECT_THAT(err("Suite: x\nSHA256:\n " + kHashA + " 1\n"), HasSubstr("malformed SHA256 line"));
  EXPECT_THAT(err("Suite: x\nDate: soon\nSHA256:\n " + kHashA + " 1 a\n"),
              HasSubstr("invalid Date 'soon'"));
  EXPECT_THAT(err("Suite: x\nSHA256:\n " + kHashA + " 1 a\n\nSuite: y\n"),
              HasSubstr("expected one Release stanza, found 2"));
  EXPECT_THAT(err(""), HasSubstr("found 0"));
}

TEST(ReleaseFreshness, ExpiredValidUntilIsAnError) {
  auto r = Release::parse(sample_release(), "InRelease");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(check_release_freshness(*r, kJul11 + 86400, "u").ok());
  auto st = check_release_freshness(*r, kJul11 + 8 * 86400, "u");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error().message(),
              HasSubstr("u: Release expired on Sat, 18 Jul 2026 10:16:37 UTC"));
}

TEST(ReleaseFreshness, DateInTheFutureBeyondToleranceIsAnError) {
  auto r = Release::parse(sample_release(), "InRelease");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(check_release_freshness(*r, kJul11 - 3600, "u").ok());  // clock skew tolerated
  auto st = check_release_freshness(*r, kJul11 - 2 * 86400, "u");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error().message(), HasSubstr("dated in the future"));
}

}  // namespace
