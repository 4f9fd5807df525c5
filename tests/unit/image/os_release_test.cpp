#include "image/os_release.hpp"

#include <gtest/gtest.h>

#include "unit/image/file_entries.hpp"

using namespace distill;
using namespace distill::image;
using namespace distill::image::test_util;

namespace {

TEST(OsRelease, ParsesQuotingAsOsReleaseFiveSays) {
  auto f = parse_os_release(
      "# comment\n"
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
      "ID=debian\n"
      "VERSION_ID='12'\n"
      "HOME_URL=\"https://example.invalid/\"\r\n"
      "QUOTED=\"say \\\"hi\\\" \\$HOME \\\\ \\n\"\n"
      "BROKEN=\"unterminated\n"
      "not a line\n"
      "bad key=1\n"
      "EMPTY=\n");
  EXPECT_EQ(f["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(f["ID"], "debian");
  EXPECT_EQ(f["VERSION_ID"], "12");
  EXPECT_EQ(f["HOME_URL"], "https://example.invalid/");
  EXPECT_EQ(f["QUOTED"], "say \"hi\" $HOME \\ \\n");
  EXPECT_EQ(f.count("BROKEN"), 0u);
  EXPECT_EQ(f.count("bad key"), 0u);
  EXPECT_EQ(f["EMPTY"], "");
}

TEST(OsRelease, WhichFilesAreRead) {
  EXPECT_TRUE(is_os_release_file("etc/os-release"));
  EXPECT_TRUE(is_os_release_file("usr/lib/os-release"));
  EXPECT_TRUE(is_os_release_file("etc/debian_version"));
  EXPECT_FALSE(is_os_release_file("etc/os-release.d/x"));
  EXPECT_FALSE(is_os_release_file("etc/not-os-release-at-all"));
}

TEST(OsRelease, FollowsTheEtcSymlinkInsideTheImage) {
  RootfsView fs;
  ASSERT_TRUE(
      fs.apply_layer({folder_entry("etc"), folder_entry("usr/lib"),
                      text_entry("usr/lib/os-release", "PRETTY_NAME=\"Distroless\"\nID=debian\n"),
                      symlink_entry("etc/os-release", "../usr/lib/os-release"),
                      text_entry("etc/debian_version", "12.5\n")})
          .ok());
  auto os = read_os_release(fs);
  ASSERT_TRUE(os.ok()) << os.error().message();
  ASSERT_TRUE(os->has_value());
  EXPECT_EQ((*os)->get("PRETTY_NAME"), "Distroless");
  EXPECT_EQ((*os)->file, "usr/lib/os-release");
  EXPECT_EQ((*os)->debian_version, "12.5");
}

TEST(OsRelease, AbsoluteSymlinkAndEtcOverUsrLib) {
  RootfsView fs;
  ASSERT_TRUE(fs.apply_layer({text_entry("usr/lib/os-release", "ID=from-usr\n"),
                              text_entry("opt/os-release", "ID=from-opt\n"),
                              symlink_entry("etc/os-release", "/opt/os-release")})
                  .ok());
  auto os = read_os_release(fs);
  ASSERT_TRUE(os.ok()) << os.error().message();
  EXPECT_EQ((*os)->get("ID"), "from-opt");
  EXPECT_EQ((*os)->file, "opt/os-release");
}

TEST(OsRelease, FallsBackToUsrLibAndToNothing) {
  RootfsView fs;
  ASSERT_TRUE(fs.apply_layer({text_entry("usr/lib/os-release", "ID=debian\n"),
                              symlink_entry("etc/os-release", "dangling")})
                  .ok());
  auto os = read_os_release(fs);
  ASSERT_TRUE(os.ok()) << os.error().message();
  EXPECT_EQ((*os)->get("ID"), "debian");
  EXPECT_EQ((*os)->file, "usr/lib/os-release");

  RootfsView empty;
  auto none = read_os_release(empty);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
