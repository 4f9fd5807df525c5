#include "image/dpkg_inventory.hpp"

#include <gtest/gtest.h>

#include "unit/image/file_entries.hpp"

using namespace distill;
using namespace distill::image;
using namespace distill::image::test_util;

namespace {

std::vector<std::string> names(const std::vector<DpkgPackage>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.name + ":" + p.architecture + "=" + p.version);
  return out;
}

constexpr const char* kStatus =
    "Package: libc6\n"
    "Status: install ok installed\n"
    "Priority: optional\n"
    "Installed-Size: 12988\n"
    "Architecture: amd64\n"
    "Multi-Arch: same\n"
    "Source: glibc\n"
    "Version: 2.36-9+deb12u4\n"
    "Description: GNU C Library: Shared libraries\n"
    " Contains the standard libraries.\n"
    "\n"
    "Package: libssl3\n"
    "Status: install ok installed\n"
    "Architecture: arm64\n"
    "Source: openssl (3.0.15-1~deb12u1)\n"
    "Version: 3.0.15-1~deb12u1+b1\n"
    "Installed-Size: 6.5\n"
    "\n"
    "Package: removed-pkg\n"
    "Status: deinstall ok config-files\n"
    "Architecture: amd64\n"
    "Version: 1.0\n"
    "\n"
    "Package: purged\n"
    "Status: purge ok not-installed\n"
    "Architecture: amd64\n"
    "\n"
    "Package: half\n"
    "Status: install reinstreq half-installed\n"
    "Architecture: amd64\n"
    "Version: 1.0\n"
    "\n"
    "Package: unpacked\n"
    "Status: install ok unpacked\n"
    "Architecture: amd64\n"
    "Version: 1.0\n"
    "\n"
    "Package: held\n"
    "Status: hold ok installed\n"
    "Architecture: all\n"
    "Version: 2:1.0-1\n"
    "\n"
    "Package: no-status\n"
    "Architecture: amd64\n"
    "Version: 1.0\n";

TEST(DpkgStatus, KeepsOnlyInstalledStanzas) {
  auto ps = parse_dpkg_database(kStatus, "var/lib/dpkg/status", DpkgDatabase::kStatusFile);
  ASSERT_TRUE(ps.ok()) << ps.error().message();
  EXPECT_EQ(names(*ps),
            (std::vector<std::string>{"libc6:amd64=2.36-9+deb12u4",
                                      "libssl3:arm64=3.0.15-1~deb12u1+b1", "held:all=2:1.0-1"}));
  const DpkgPackage& libc = (*ps)[0];
  EXPECT_EQ(libc.source, "glibc");
  EXPECT_EQ(libc.source_version, "2.36-9+deb12u4") << "Source without a version: the binary's";
  EXPECT_EQ(libc.installed_size_kib, 12988u);
  EXPECT_EQ(libc.status, "install ok installed");
  EXPECT_EQ(libc.database_file, "var/lib/dpkg/status");
  const DpkgPackage& ssl = (*ps)[1];
  EXPECT_EQ(ssl.source, "openssl");
  EXPECT_EQ(ssl.source_version, "3.0.15-1~deb12u1") << "Source: name (version)";
  EXPECT_FALSE(ssl.installed_size_kib.has_value()) << "not a whole number";
}

TEST(DpkgStatus, InstalledStates) {
  EXPECT_TRUE(dpkg_status_installed("install ok installed"));
  EXPECT_TRUE(dpkg_status_installed("hold ok installed"));
  EXPECT_TRUE(dpkg_status_installed("install ok triggers-pending"));
  EXPECT_FALSE(dpkg_status_installed("deinstall ok config-files"));
  EXPECT_FALSE(dpkg_status_installed("purge ok not-installed"));
  EXPECT_FALSE(dpkg_status_installed("install ok half-configured"));
  EXPECT_FALSE(dpkg_status_installed("install reinstreq installed"));
  EXPECT_FALSE(dpkg_status_installed("installed"));
}

TEST(DpkgStatus, StatusDirStanzasNeedNoStatusField) {
  auto ps = parse_dpkg_database(
      "Package: tzdata\nVersion: 2025b-0+deb12u1\nArchitecture: all\nInstalled-Size: 1\n",
      "var/lib/dpkg/status.d/tzdata", DpkgDatabase::kStatusDir);
  ASSERT_TRUE(ps.ok()) << ps.error().message();
  ASSERT_EQ(ps->size(), 1u);
  EXPECT_EQ((*ps)[0].source, "tzdata") << "no Source: the package itself";
  EXPECT_EQ((*ps)[0].source_version, "2025b-0+deb12u1");
  EXPECT_EQ((*ps)[0].installed_size_kib, 1u);
  EXPECT_EQ((*ps)[0].status, "");
}

TEST(DpkgStatus, MissingPackageOrVersionNamesTheLine) {
  auto ps = parse_dpkg_database("Package: a\nVersion: 1\n\nArchitecture: amd64\nVersion: 2\n",
                                "var/lib/dpkg/status.d/x", DpkgDatabase::kStatusDir);
  ASSERT_FALSE(ps.ok());
  EXPECT_EQ(ps.error().where, "var/lib/dpkg/status.d/x:4");
  ps = parse_dpkg_database("Package: a\nStatus: install ok installed\n", "status",
                           DpkgDatabase::kStatusFile);
  ASSERT_FALSE(ps.ok());
  EXPECT_NE(ps.error().message().find("no Version"), std::string::npos);
}

TEST(DpkgDatabaseFiles, WhichFilesAreRead) {
  EXPECT_TRUE(is_dpkg_database_file("var/lib/dpkg/status"));
  EXPECT_TRUE(is_dpkg_database_file("var/lib/dpkg/status.d/libc6"));
  EXPECT_FALSE(is_dpkg_database_file("var/lib/dpkg/status.d/libc6.md5sums"));
  EXPECT_FALSE(is_dpkg_database_file("var/lib/dpkg/status.d/sub/x"));
  EXPECT_FALSE(is_dpkg_database_file("var/lib/dpkg/status.d"));
  EXPECT_FALSE(is_dpkg_database_file("var/lib/dpkg/status-old"));
  EXPECT_FALSE(is_dpkg_database_file("var/lib/dpkg/status.dx/a"));
}

TEST(ReadDpkgPackages, DistrolessStatusFolder) {
  RootfsView fs;
  // File names deliberately differ from the packages: the Package field counts.
  ASSERT_TRUE(fs.apply_layer({
                                 folder_entry("var/lib/dpkg/status.d"),
                                 text_entry("var/lib/dpkg/status.d/libc6",
                                            "Package: libc6\nVersion: 2.36-9\nArchitecture: "
                                            "arm64\nSource: glibc (2.36-9)\n"),
                                 text_entry("var/lib/dpkg/status.d/libc6.md5sums",
                                            "0123  usr/lib/libc.so.6\n"),
                                 text_entry("var/lib/dpkg/status.d/base",
                                            "Package: base-files\nVersion: 12.4+deb12u5\n"
                                            "Architecture: arm64\n"),
                                 text_entry("var/lib/dpkg/status.d/.hidden", "garbage"),
                                 folder_entry("var/lib/dpkg/status.d/sub"),
                             })
                  .ok());
  auto ps = read_dpkg_packages(fs);
  ASSERT_TRUE(ps.ok()) << ps.error().message();
  EXPECT_EQ(names(*ps),
            (std::vector<std::string>{"base-files:arm64=12.4+deb12u5", "libc6:arm64=2.36-9"}));
  EXPECT_EQ((*ps)[0].database_file, "var/lib/dpkg/status.d/base");
  EXPECT_EQ((*ps)[1].source, "glibc");
}

TEST(ReadDpkgPackages, StatusFileAndFolderTogether) {
  RootfsView fs;
  ASSERT_TRUE(fs.apply_layer({text_entry("var/lib/dpkg/status", kStatus),
                              text_entry("var/lib/dpkg/status.d/tzdata",
                                         "Package: tzdata\nVersion: 2025b\nArchitecture: all\n"),
                              // Listed in both: reported once.
                              text_entry("var/lib/dpkg/status.d/held",
                                         "Package: held\nVersion: 2:1.0-1\nArchitecture: all\n")})
                  .ok());
  auto ps = read_dpkg_packages(fs);
  ASSERT_TRUE(ps.ok()) << ps.error().message();
  EXPECT_EQ(names(*ps),
            (std::vector<std::string>{"held:all=2:1.0-1", "libc6:amd64=2.36-9+deb12u4",
                                      "libssl3:arm64=3.0.15-1~deb12u1+b1", "tzdata:all=2025b"}));
}

TEST(ReadDpkgPackages, FollowsASymlinkedStatusFolderAndToleratesNone) {
  RootfsView empty;
  auto none = read_dpkg_packages(empty);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  RootfsView fs;
  ASSERT_TRUE(fs.apply_layer({folder_entry("var/lib/dpkg/status.d"),
                              text_entry("var/lib/dpkg/status.d/a",
                                         "Package: a\nVersion: 1\nArchitecture: all\n"),
                              symlink_entry("var/lib/dpkg/status", "nowhere")})
                  .ok());
  auto ps = read_dpkg_packages(fs);
  ASSERT_TRUE(ps.ok()) << ps.error().message();
  EXPECT_EQ(names(*ps), (std::vector<std::string>{"a:all=1"}));
}

TEST(ReadDpkgPackages, ContentNotKeptIsAnError) {
  RootfsView fs;
  FileEntry e = text_entry("var/lib/dpkg/status", "");
  e.content.reset();
  ASSERT_TRUE(fs.apply_layer({e}).ok());
  auto ps = read_dpkg_packages(fs);
  ASSERT_FALSE(ps.ok());
  EXPECT_NE(ps.error().message().find("keep_content"), std::string::npos);
}

}  // namespace
