#include "builder/system_files.hpp"

#include <gtest/gtest.h>

#include "builder/rootfs.hpp"

using namespace distill;

namespace {

const std::string kList = "var/lib/dpkg/status.d/demo.md5sums";

// Lists a.txt and b.txt with digests that match neither (the real MD5 of
// "a\n" is 60b725f10c9c85c70d97880dfe8191b3).
builder::Rootfs demo_tree() {
  builder::Rootfs fs(builder::Rootfs::Options{});
  fs.add_package("demo",
                 {oci::FsEntry::file("usr/a.txt", "a\n"), oci::FsEntry::file("usr/b.txt", "b\n"),
                  oci::FsEntry::file("usr/share/man/demo.1", "manual\n")});
  fs.put(oci::FsEntry::file(kList,
                            "00000000000000000000000000000000  usr/a.txt\n"
                            "11111111111111111111111111111111  usr/b.txt\n"
                            "22222222222222222222222222222222  usr/share/man/demo.1\n"));
  fs.track_changes();
  return fs;
}

// A file its package left alone keeps the package's line as dpkg keeps it,
// unhashed; a file the build replaced is hashed and, not matching, dropped;
// a trimmed file is dropped.
TEST(TrimMd5sums, TrustsTheListForFilesLeftAsShippedAndHashesTheRest) {
  builder::Rootfs fs = demo_tree();
  fs.put(oci::FsEntry::file("usr/b.txt", "replaced\n"));
  builder::trim_md5sums(fs);
  ASSERT_NE(fs.find(kList), nullptr);
  EXPECT_EQ(fs.find(kList)->data, "00000000000000000000000000000000  usr/a.txt\n");
}

TEST(TrimMd5sums, AReplacedFileKeepsItsLineWhenItsContentStillMatches) {
  builder::Rootfs fs = demo_tree();
  fs.put(oci::FsEntry::file(kList, "60b725f10c9c85c70d97880dfe8191b3  usr/a.txt\n"));
  fs.put(oci::FsEntry::file("usr/a.txt", "a\n", 0755));  // changed, same bytes
  builder::trim_md5sums(fs);
  ASSERT_NE(fs.find(kList), nullptr);
  EXPECT_EQ(fs.find(kList)->data, "60b725f10c9c85c70d97880dfe8191b3  usr/a.txt\n");
}

// A package that lost a conflict is not trusted for any of its files.
TEST(TrimMd5sums, HashesEveryFileOfAPackageThatLostAConflict) {
  builder::Rootfs fs(builder::Rootfs::Options{});
  fs.add_package("first", {oci::FsEntry::file("usr/a.txt", "first\n")});
  fs.add_package("demo",
                 {oci::FsEntry::file("usr/a.txt", "a\n"), oci::FsEntry::file("usr/b.txt", "b\n")});
  fs.put(oci::FsEntry::file(kList,
                            "60b725f10c9c85c70d97880dfe8191b3  usr/a.txt\n"
                            "11111111111111111111111111111111  usr/b.txt\n"));
  fs.track_changes();
  builder::trim_md5sums(fs);
  EXPECT_EQ(fs.find(kList), nullptr) << "no line matches what the image holds";
}

}  // namespace
