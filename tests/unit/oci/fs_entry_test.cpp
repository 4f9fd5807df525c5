#include "oci/fs_entry.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file_util.hpp"
#include "core/temp_dir.hpp"

using namespace distill;
using namespace distill::oci;

namespace {

TEST(LayerPath, Normalises) {
  EXPECT_EQ(*normalize_layer_path("usr/bin/env"), "usr/bin/env");
  EXPECT_EQ(*normalize_layer_path("./usr//bin/./env/"), "usr/bin/env");
  EXPECT_EQ(*normalize_layer_path("etc/F\xc5\x91.crt"), "etc/F\xc5\x91.crt");  // UTF-8 is fine
}

TEST(LayerPath, RejectsUnsafe) {
  const std::vector<std::string> bad_paths = {"../x",
                                              "a/../b",
                                              "a/..",
                                              "/abs",
                                              "/",
                                              "",
                                              ".",
                                              "./",
                                              "a/.wh.b",
                                              ".wh..wh..opq",
                                              std::string("a\0b", 3),
                                              "bad\xe9utf8",
                                              std::string(256, 'n')};
  for (const auto& bad : bad_paths) {
    auto r = normalize_layer_path(bad);
    EXPECT_FALSE(r.ok()) << "accepted '" << bad << "'";
  }
  auto abs = normalize_layer_path("/etc/passwd");
  ASSERT_FALSE(abs.ok());
  EXPECT_EQ(abs.error().where, "layer path '/etc/passwd'");
  EXPECT_EQ(abs.error().what, "is absolute");
}

TEST(FsEntry, ValidateNormalisesPathAndHardlinkTarget) {
  FsEntry e = FsEntry::hardlink("./bin//ln", "./bin/real");
  ASSERT_TRUE(validate_entry(e).ok());
  EXPECT_EQ(e.path, "bin/ln");
  EXPECT_EQ(e.link_target, "bin/real");
}

TEST(FsEntry, ValidateRejectsInconsistentEntries) {
  FsEntry device = FsEntry::file("dev/null", "");
  device.mode = S_IFCHR | 0666;  // a device node smuggled in through the mode
  EXPECT_FALSE(validate_entry(device).ok());

  FsEntry dir_with_data = FsEntry::directory("d");
  dir_with_data.data = "x";
  EXPECT_FALSE(validate_entry(dir_with_data).ok());

  FsEntry both = FsEntry::file("f", "x");
  both.source_path = "/etc/hostname";
  EXPECT_FALSE(validate_entry(both).ok());

  FsEntry no_target = FsEntry::symlink("l", "");
  EXPECT_FALSE(validate_entry(no_target).ok());

  FsEntry self = FsEntry::hardlink("a", "./a");
  EXPECT_FALSE(validate_entry(self).ok());

  FsEntry escaping = FsEntry::hardlink("a", "../etc/shadow");
  EXPECT_FALSE(validate_entry(escaping).ok());

  FsEntry old = FsEntry::file("f", "x");
  old.mtime = -1;
  EXPECT_FALSE(validate_entry(old).ok());

  FsEntry bad_xattr = FsEntry::file("f", "x");
  bad_xattr.xattrs["user.a=b"] = "v";
  EXPECT_FALSE(validate_entry(bad_xattr).ok());

  FsEntry suid = FsEntry::file("usr/bin/ping", "x", 04755);  // setuid is a permission bit
  EXPECT_TRUE(validate_entry(suid).ok());

  FsEntry abs_symlink = FsEntry::symlink("etc/localtime", "/usr/share/zoneinfo/UTC");
  EXPECT_TRUE(validate_entry(abs_symlink).ok());  // resolved inside the container
}

TEST(FsEntry, FromHostDescribesFilesFoldersAndSymlinks) {
  auto dir = core::TempDir::create();
  ASSERT_TRUE(dir.ok());
  std::string file = dir->path() + "/f";
  ASSERT_TRUE(core::write_file_atomic(file, "data", 0750).ok());
  ASSERT_EQ(::symlink("f", (dir->path() + "/l").c_str()), 0);

  auto f = entry_from_host(file, "app/f");
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_EQ(f->type, EntryType::kRegular);
  EXPECT_EQ(f->mode, 0750u);
  EXPECT_EQ(f->source_path, file);

  auto l = entry_from_host(dir->path() + "/l", "app/l");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->type, EntryType::kSymlink);
  EXPECT_EQ(l->link_target, "f");

  auto d = entry_from_host(dir->path(), "/app");
  EXPECT_FALSE(d.ok());  // absolute layer path
  auto d2 = entry_from_host(dir->path(), "app");
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(d2->type, EntryType::kDirectory);
}

TEST(FsEntry, FromHostRefusesDevicesAndFifos) {
  auto dir = core::TempDir::create();
  ASSERT_TRUE(dir.ok());
  std::string fifo = dir->path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  auto f = entry_from_host(fifo, "fifo");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().what.find("FIFO"), std::string::npos);

  auto dev = entry_from_host("/dev/null", "dev/null");
  ASSERT_FALSE(dev.ok());
  EXPECT_NE(dev.error().what.find("character device"), std::string::npos);
}

TEST(Utf8, Validates) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("F\xc5\x91tan\xc3\xba\xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

}  // namespace
