#include "debian/deb_file.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/file_util.hpp"
#include "core/process.hpp"
#include "core/temp_dir.hpp"
#include "oci/entry_content.hpp"

using namespace distill;
using debian::DebContents;
using debian::DebLimits;
using debian::read_deb;
using debian::read_deb_bytes;
using oci::EntryType;
using oci::FsEntry;

// A named namespace: unity batches put this file's helpers (file, make_tar,
// compress) beside the image tests' own.
namespace deb_file_test {
namespace {

// ---- crafting archives with libarchive's writer ----

struct TarItem {
  std::string path;
  int type = AE_IFREG;
  unsigned mode = 0644;
  std::string content;
  std::string symlink;
  std::string hardlink;
  int64_t uid = 0, gid = 0;
  int64_t mtime = 1'000'000'000;
  std::map<std::string, std::string> xattrs;  // written as pax records
};

TarItem file(std::string path, std::string content, unsigned mode = 0644) {
  TarItem t;
  t.path = std::move(path);
  t.content = std::move(content);
  t.mode = mode;
  return t;
}
TarItem dir(std::string path, unsigned mode = 0755) {
  TarItem t;
  t.path = std::move(path);
  t.type = AE_IFDIR;
  t.mode = mode;
  return t;
}
TarItem symlink(std::string path, std::string target) {
  TarItem t;
  t.path = std::move(path);
  t.type = AE_IFLNK;
  t.mode = 0777;
  t.symlink = std::move(target);
  return t;
}
TarItem hardlink(std::string path, std::string target) {
  TarItem t;
  t.path = std::move(path);
  t.hardlink = std::move(target);
  return t;
}
TarItem special(std::string path, int type) {
  TarItem t;
  t.path = std::move(path);
  t.type = type;
  return t;
}

la_ssize_t append_to_string(archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

struct WriterDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};

// Opens a writer whose output lands in `out`; fails the test on error.
std::unique_ptr<archive, WriterDeleter> open_writer(std::string& out, int (*set_format)(archive*),
                                                    int filter) {
  std::unique_ptr<archive, WriterDeleter> a(archive_write_new());
  EXPECT_EQ(set_format(a.get()), ARCHIVE_OK);
  EXPECT_EQ(archive_write_add_filter(a.get(), filter), ARCHIVE_OK) << archive_error_string(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  // Fast over small: xz's default level allocates a large dictionary per archive.
  (void)archive_write_set_filter_option(a.get(), nullptr, "compression-level", "1");
  EXPECT_EQ(archive_write_open(a.get(), &out, nullptr, append_to_string, nullptr), ARCHIVE_OK);
  return a;
}

std::string make_tar(const std::vector<TarItem>& items, int filter = ARCHIVE_FILTER_NONE) {
  std::string out;
  bool pax =
      std::any_of(items.begin(), items.end(), [](const TarItem& t) { return !t.xattrs.empty(); });
  auto a = open_writer(
      out, pax ? archive_write_set_format_pax_restricted : archive_write_set_format_gnutar, filter);
  for (const TarItem& t : items) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.path.c_str());
    archive_entry_set_filetype(e, static_cast<unsigned>(t.type));
    archive_entry_set_perm(e, t.mode);
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    archive_entry_set_mtime(e, t.mtime, 0);
    if (t.type == AE_IFCHR || t.type == AE_IFBLK) archive_entry_set_rdev(e, makedev(1, 3));
    if (!t.symlink.empty()) archive_entry_set_symlink(e, t.symlink.c_str());
    if (!t.hardlink.empty()) archive_entry_set_hardlink(e, t.hardlink.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(t.content.size()));
    for (const auto& [name, value] : t.xattrs)
      archive_entry_xattr_add_entry(e, name.c_str(), value.data(), value.size());
    EXPECT_EQ(archive_write_header(a.get(), e), ARCHIVE_OK) << archive_error_string(a.get());
    if (!t.content.empty()) {
      EXPECT_EQ(archive_write_data(a.get(), t.content.data(), t.content.size()),
                static_cast<la_ssize_t>(t.content.size()));
    }
    archive_entry_free(e);
  }
  EXPECT_EQ(archive_write_close(a.get()), ARCHIVE_OK);
  return out;
}

// `data` compressed with `filter`, no archive format around it.
std::string compress(const std::string& data, int filter) {
  std::string out;
  std::unique_ptr<archive, WriterDeleter> a(archive_write_new());
  EXPECT_EQ(archive_write_set_format_raw(a.get()), ARCHIVE_OK);
  EXPECT_EQ(archive_write_add_filter(a.get(), filter), ARCHIVE_OK);
  EXPECT_EQ(archive_write_open(a.get(), &out, nullptr, append_to_string, nullptr), ARCHIVE_OK);
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "data");
  archive_entry_set_filetype(e, AE_IFREG);
  EXPECT_EQ(archive_write_header(a.get(), e), ARCHIVE_OK) << archive_error_string(a.get());
  EXPECT_EQ(archive_write_data(a.get(), data.data(), data.size()),
            static_cast<la_ssize_t>(data.size()));
  archive_entry_free(e);
  EXPECT_EQ(archive_write_close(a.get()), ARCHIVE_OK);
  return out;
}

std::string make_ar(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out;
  auto a = open_writer(out, archive_write_set_format_ar_svr4, ARCHIVE_FILTER_NONE);
  for (const auto& [name, data] : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    EXPECT_EQ(archive_write_header(a.get(), e), ARCHIVE_OK) << archive_error_string(a.get());
    EXPECT_EQ(archive_write_data(a.get(), data.data(), data.size()),
              static_cast<la_ssize_t>(data.size()));
    archive_entry_free(e);
  }
  EXPECT_EQ(archive_write_close(a.get()), ARCHIVE_OK);
  return out;
}

const char kControl[] =
    "Package: evil\nVersion: 1.0\nArchitecture: all\nMaintainer: T <t@example.invalid>\n"
    "Description: test package\n";

std::string control_tar() {
  return make_tar({dir("./"), file("./control", kControl)}, ARCHIVE_FILTER_XZ);
}

// A .deb with the given data.tar entries, data.tar compressed with xz.
std::string crafted_deb(const std::vector<TarItem>& data) {
  return make_ar({{"debian-binary", "2.0\n"},
                  {"control.tar.xz", control_tar()},
                  {"data.tar.xz", make_tar(data, ARCHIVE_FILTER_XZ)}});
}

// Reads crafted bytes expecting an error; returns its message ("" if none).
std::string deb_error(const std::string& bytes, const DebLimits& limits = {}) {
  auto r = read_deb_bytes(bytes, "evil_1.0_all.deb", limits);
  EXPECT_FALSE(r.ok()) << "accepted a bad package";
  if (r.ok()) return "";
  EXPECT_EQ(r.error().where.rfind("evil_1.0_all.deb", 0), 0u) << r.error().message();
  return r.error().message();
}

std::string data_error(const std::vector<TarItem>& data) {
  return deb_error(crafted_deb(data));
}

const FsEntry* find(const DebContents& c, const std::string& path) {
  for (const FsEntry& e : c.entries)
    if (e.path == path) return &e;
  return nullptr;
}

size_t index_of(const DebContents& c, const std::string& path) {
  for (size_t i = 0; i < c.entries.size(); ++i)
    if (c.entries[i].path == path) return i;
  return c.entries.size();
}

// ---- packages built by dpkg-deb ----

constexpr int64_t kMtime = 1'000'000'000;  // older than any SOURCE_DATE_EPOCH dpkg-deb clamps to
const char kDpkgControl[] =
    "Package: demo\nVersion: 1.2-3\nArchitecture: all\nMaintainer: T <t@example.invalid>\n"
    "Description: demo package\n a longer description\n";
const char kMd5sums[] = "d41d8cd98f00b204e9800998ecf8427e  usr/share/doc/demo/empty\n";

std::string binary_blob() {
  std::string s;
  for (int i = 0; i < 200'000; ++i) s += static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

class DpkgBuiltDeb : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (core::find_program("dpkg-deb").empty())
      GTEST_FAIL() << "dpkg-deb is not installed (apt install dpkg)";
    auto d = core::TempDir::create();
    ASSERT_TRUE(d.ok());
    tmp_ = std::make_unique<core::TempDir>(std::move(*d));
    root_ = tmp_->path() + "/root";
  }

  void put(const std::string& rel, const std::string& content, mode_t mode) {
    std::string p = root_ + "/" + rel;
    ASSERT_TRUE(core::make_dirs(p.substr(0, p.rfind('/'))).ok());
    ASSERT_TRUE(core::write_file_atomic(p, content, static_cast<int>(mode)).ok());
    ASSERT_EQ(::chmod(p.c_str(), mode), 0);  // past the umask, setuid included
  }

  // Fixes every mtime, so that the tar's are known.
  void set_mtimes(const std::vector<std::string>& rels) {
    for (const auto& rel : rels) {
      struct timeval tv[2] = {{kMtime, 0}, {kMtime, 0}};
      ASSERT_EQ(::lutimes((root_ + "/" + rel).c_str(), tv), 0) << rel;
    }
  }

  std::string build(const std::string& compression) {
    std::string out = tmp_->path() + "/demo.deb";
    auto r = core::system_process_runner().run(
        {"dpkg-deb", "--build", "--root-owner-group", "-Z" + compression, root_, out});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    if (!r.ok()) return "";
    EXPECT_EQ(r->exit_code, 0) << r->err;
    return out;
  }

  std::unique_ptr<core::TempDir> tmp_;
  std::string root_;
};

TEST_P(DpkgBuiltDeb, ReadsEveryPart) {
  const std::string compression = GetParam();
  put("DEBIAN/control", kDpkgControl, 0644);
  put("DEBIAN/conffiles", "/etc/demo/demo.conf\n", 0644);
  put("DEBIAN/md5sums", kMd5sums, 0644);
  put("DEBIAN/postinst", "#!/bin/sh\nexit 0\n", 0755);
  put("DEBIAN/prerm", "#!/bin/sh\nexit 0\n", 0755);
  ASSERT_EQ(::chmod((root_ + "/DEBIAN").c_str(), 0755), 0);
  ASSERT_EQ(::chmod(root_.c_str(), 0755), 0);
  put("etc/demo/demo.conf", "key=value\n", 0644);
  put("usr/bin/demo", "#!/bin/sh\necho demo\n", 04755);
  put("usr/share/demo/data-copy.txt", "shared bytes\n", 0644);
  ASSERT_EQ(::link((root_ + "/usr/share/demo/data-copy.txt").c_str(),
                   (root_ + "/usr/share/demo/data.txt").c_str()),
            0);
  const std::string blob = binary_blob();
  put("usr/lib/demo/nested/deep/file.bin", blob, 0640);
  ASSERT_EQ(::symlink("nested/deep/file.bin", (root_ + "/usr/lib/demo/link").c_str()), 0);
  put("usr/share/doc/demo/empty", "", 0644);
  ASSERT_TRUE(core::make_dirs(root_ + "/var/lib/demo").ok());
  ASSERT_EQ(::chmod((root_ + "/var/lib/demo").c_str(), 02775), 0);
  set_mtimes({"etc/demo/demo.conf", "usr/bin/demo", "usr/share/demo/data.txt",
              "usr/lib/demo/nested/deep/file.bin", "usr/lib/demo/link", "usr/share/doc/demo/empty",
              "var/lib/demo", "usr/lib/demo/nested/deep"});

  std::string deb = build(compression);
  ASSERT_FALSE(deb.empty());
  auto r = read_deb(deb, "demo_1.2-3_all.deb");
  ASSERT_TRUE(r.ok()) << r.error().message();
  const DebContents& c = *r;

  const std::string suffix = compression == "xz"     ? ".xz"
                             : compression == "gzip" ? ".gz"
                             : compression == "zstd" ? ".zst"
                                                     : "";
  EXPECT_EQ(c.data_member, "data.tar" + suffix);  // the variant was really exercised
  EXPECT_EQ(c.control_member, "control.tar" + suffix);
  EXPECT_EQ(c.control, kDpkgControl);
  EXPECT_EQ(c.md5sums, kMd5sums);
  EXPECT_EQ(c.conffiles, std::vector<std::string>{"etc/demo/demo.conf"});
  EXPECT_EQ(c.maintainer_scripts, (std::vector<std::string>{"postinst", "prerm"}));

  for (const FsEntry& e : c.entries) {
    EXPECT_FALSE(e.path.empty());
    EXPECT_NE(e.path.front(), '.') << e.path;
    EXPECT_NE(e.path.front(), '/') << e.path;
    EXPECT_NE(e.path.back(), '/') << e.path;
    EXPECT_EQ(e.uid, 0u) << e.path;  // --root-owner-group
    EXPECT_EQ(e.gid, 0u) << e.path;
  }
  EXPECT_EQ(find(c, "DEBIAN"), nullptr);
  EXPECT_EQ(find(c, "DEBIAN/control"), nullptr);

  const FsEntry* conf = find(c, "etc/demo/demo.conf");
  ASSERT_NE(conf, nullptr);
  EXPECT_EQ(conf->type, EntryType::kRegular);
  EXPECT_EQ(conf->data, "key=value\n");
  EXPECT_EQ(conf->mode, 0644u);
  EXPECT_EQ(conf->mtime, kMtime);

  const FsEntry* tool = find(c, "usr/bin/demo");
  ASSERT_NE(tool, nullptr);
  EXPECT_EQ(tool->mode, 04755u);  // setuid survives, for the policy to judge
  EXPECT_EQ(tool->data, "#!/bin/sh\necho demo\n");

  const FsEntry* big = find(c, "usr/lib/demo/nested/deep/file.bin");
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(big->mode, 0640u);
  EXPECT_TRUE(big->data == blob) << "content differs, size " << big->data.size();
  EXPECT_TRUE(big->source_path.empty());

  const FsEntry* deep = find(c, "usr/lib/demo/nested/deep");
  ASSERT_NE(deep, nullptr);
  EXPECT_EQ(deep->type, EntryType::kDirectory);
  EXPECT_EQ(deep->mtime, kMtime);
  EXPECT_LT(index_of(c, "usr/lib/demo/nested"), index_of(c, "usr/lib/demo/nested/deep"));

  const FsEntry* link = find(c, "usr/lib/demo/link");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->type, EntryType::kSymlink);
  EXPECT_EQ(link->link_target, "nested/deep/file.bin");
  EXPECT_EQ(link->mtime, kMtime);

  const FsEntry* setgid_dir = find(c, "var/lib/demo");
  ASSERT_NE(setgid_dir, nullptr);
  EXPECT_EQ(setgid_dir->type, EntryType::kDirectory);
  EXPECT_EQ(setgid_dir->mode, 02775u);

  const FsEntry* empty = find(c, "usr/share/doc/demo/empty");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->type, EntryType::kRegular);
  EXPECT_TRUE(empty->data.empty());

  // tar stores the first name of a hardlinked file as a file, later ones as links to it.
  const FsEntry* a = find(c, "usr/share/demo/data-copy.txt");
  const FsEntry* b = find(c, "usr/share/demo/data.txt");
  ASSERT_TRUE(a && b);
  const FsEntry* first = index_of(c, a->path) < index_of(c, b->path) ? a : b;
  const FsEntry* second = first == a ? b : a;
  EXPECT_EQ(first->type, EntryType::kRegular);
  EXPECT_EQ(first->data, "shared bytes\n");
  EXPECT_EQ(second->type, EntryType::kHardlink);
  EXPECT_EQ(second->link_target, first->path);  // "./usr/..." normalised
  EXPECT_TRUE(second->data.empty());

  // The in-memory reader sees the same package.
  auto bytes = core::read_file(deb);
  ASSERT_TRUE(bytes.ok());
  auto again = read_deb_bytes(*bytes, "demo");
  ASSERT_TRUE(again.ok()) << again.error().message();
  ASSERT_EQ(again->entries.size(), c.entries.size());
  for (size_t i = 0; i < c.entries.size(); ++i) {
    EXPECT_EQ(again->entries[i].path, c.entries[i].path);
    EXPECT_EQ(again->entries[i].data, c.entries[i].data);
    EXPECT_EQ(again->entries[i].mode, c.entries[i].mode);
  }

  // Cut anywhere inside its members, the package is refused, never half-read.
  if (compression != "xz") return;  // once is enough: each cut re-reads the package
  for (size_t len = 0; len + 2 <= bytes->size(); len += std::max<size_t>(1, len / 64)) {
    auto cut = read_deb_bytes(std::string_view(*bytes).substr(0, len), "demo");
    EXPECT_FALSE(cut.ok()) << "accepted the package cut to " << len << " of " << bytes->size();
  }
}

// dpkg-deb of Debian 12 builds all four; bzip2 and lzma it only reads.
INSTANTIATE_TEST_SUITE_P(Compressions, DpkgBuiltDeb,
                         ::testing::Values("xz", "gzip", "zstd", "none"));

// ---- crafted packages ----

TEST(DebFile, ReadsCraftedPackageAndKeepsOwnersAndModes) {
  TarItem owned = file("./srv/app/run", "#!/bin/sh\n", 06755);
  owned.uid = 1000;
  owned.gid = 50;
  owned.mtime = 1234567890;
  auto r = read_deb_bytes(
      make_ar({{"debian-binary", "2.0\n"},
               {"_extra", "ignored"},
               {"control.tar", make_tar({file("./control", kControl)})},
               {"data.tar.gz", make_tar({dir("./"), dir("./srv"), owned}, ARCHIVE_FILTER_GZIP)},
               {"trailing", "members after data.tar are ignored"}}),
      "ok.deb");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->control, kControl);
  EXPECT_EQ(r->md5sums, "");
  EXPECT_TRUE(r->conffiles.empty());
  EXPECT_TRUE(r->maintainer_scripts.empty());
  ASSERT_EQ(r->entries.size(), 2u);  // "./" is not an entry
  EXPECT_EQ(r->entries[0].path, "srv");
  const FsEntry& run = r->entries[1];
  EXPECT_EQ(run.path, "srv/app/run");
  EXPECT_EQ(run.mode, 06755u);
  EXPECT_EQ(run.uid, 1000u);
  EXPECT_EQ(run.gid, 50u);
  EXPECT_EQ(run.mtime, 1234567890);
}

// dpkg's tar reader knows no extended attributes, so a package cannot grant
// itself file capabilities that way; distill drops them too.
TEST(DebFile, DropsExtendedAttributes) {
  TarItem ping = file("./bin/ping", "ELF", 0755);
  ping.xattrs["security.capability"] = std::string("\x01\x00\x00\x02\x00\x20\x00\x00", 8);
  ping.xattrs["user.note"] = "x";
  // The tar really carries them.
  std::string tar = make_tar({ping});
  std::unique_ptr<archive, decltype(&archive_read_free)> in(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(in.get());
  ASSERT_EQ(archive_read_open_memory(in.get(), tar.data(), tar.size()), ARCHIVE_OK);
  archive_entry* e = nullptr;
  ASSERT_EQ(archive_read_next_header(in.get(), &e), ARCHIVE_OK);
  EXPECT_GE(archive_entry_xattr_count(e), 2);  // LIBARCHIVE.xattr and SCHILY.xattr records

  auto r = read_deb_bytes(crafted_deb({ping}), "ok.deb");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->entries.size(), 1u);
  EXPECT_EQ(r->entries[0].data, "ELF");
  EXPECT_TRUE(r->entries[0].xattrs.empty());
}

TEST(DebFile, AcceptsMinorFormatVersionsAndExtraLines) {
  auto r =
      read_deb_bytes(make_ar({{"debian-binary", "2.1\nfuture line\n"},
                              {"control.tar.xz", control_tar()},
                              {"data.tar.bz2", make_tar({file("a", "x")}, ARCHIVE_FILTER_BZIP2)}}),
                     "ok.deb");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->data_member, "data.tar.bz2");
  ASSERT_EQ(r->entries.size(), 1u);
  EXPECT_EQ(r->entries[0].data, "x");
}

TEST(DebFile, ParsesControlTarFiles) {
  std::string ctl = make_tar(
      {dir("./"), file("./control", kControl),
       file("./conffiles", "/etc/a.conf\n  /etc/b/c.conf \r\n\nremove-on-upgrade /etc/old\n"),
       file("./md5sums", "abc  etc/a.conf\n"), file("./shlibs", "x"),
       file("./triggers", "interest foo\n"), file("./config", "#!/bin/sh\n", 0755),
       file("./postrm", "#!/bin/sh\n", 0755), file("./preinst", "#!/bin/sh\n", 0755),
       symlink("./postinst", "preinst")},
      ARCHIVE_FILTER_ZSTD);
  auto r = read_deb_bytes(
      make_ar({{"debian-binary", "2.0\n"}, {"control.tar.zst", ctl}, {"data.tar", make_tar({})}}),
      "ok.deb");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->conffiles, (std::vector<std::string>{"etc/a.conf", "etc/b/c.conf"}));
  EXPECT_EQ(r->md5sums, "abc  etc/a.conf\n");
  EXPECT_EQ(r->maintainer_scripts,
            (std::vector<std::string>{"preinst", "postinst", "postrm", "config", "triggers"}));
  EXPECT_TRUE(r->entries.empty());
}

TEST(DebFile, MergesARepeatedDirectoryWithLaterMetadata) {
  auto r = read_deb_bytes(
      crafted_deb({dir("./usr", 0755), file("./usr/x", "1"), dir("./usr", 0700)}), "ok.deb");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->entries.size(), 2u);
  EXPECT_EQ(r->entries[0].path, "usr");
  EXPECT_EQ(r->entries[0].mode, 0700u);
}

TEST(DebFile, RefusesParentDirectoryComponents) {
  std::string msg = data_error({file("../etc/passwd", "root::0:0::/:/bin/sh\n")});
  EXPECT_NE(msg.find("data.tar.xz"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'../etc/passwd'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'..'"), std::string::npos) << msg;
  msg = data_error({dir("./usr"), file("./usr/../../x", "")});
  EXPECT_NE(msg.find("'./usr/../../x'"), std::string::npos) << msg;
}

TEST(DebFile, RefusesAbsolutePaths) {
  std::string msg = data_error({file("/abs", "x")});
  EXPECT_NE(msg.find("'/abs'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("absolute"), std::string::npos) << msg;
}

TEST(DebFile, RefusesDevicesAndFifos) {
  std::string msg = data_error({dir("./dev"), special("./dev/mem", AE_IFCHR)});
  EXPECT_NE(msg.find("'./dev/mem'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("character device"), std::string::npos) << msg;
  msg = data_error({special("./sda", AE_IFBLK)});
  EXPECT_NE(msg.find("block device"), std::string::npos) << msg;
  msg = data_error({special("./pipe", AE_IFIFO)});
  EXPECT_NE(msg.find("FIFO"), std::string::npos) << msg;
  // tar cannot carry sockets, so no package can hold one.
}

TEST(DebFile, RefusesPathsThroughAnEarlierSymlink) {
  std::string msg = data_error({symlink("./lib", "/etc"), file("./lib/x", "owned")});
  EXPECT_NE(msg.find("'./lib/x'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("symlink"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'/etc'"), std::string::npos) << msg;
  // Deeper, relative, and via a directory entry.
  msg =
      data_error({dir("./a"), symlink("./a/b", "../../.."), dir("./a/b/c"), file("./a/b/c/d", "")});
  EXPECT_NE(msg.find("entry './a/b/c/' lies under 'a/b', a symlink"), std::string::npos) << msg;
  // Replacing a directory by a symlink after its content is there is no better.
  msg = data_error({dir("./lib"), symlink("./lib", "/etc")});
  EXPECT_NE(msg.find("appears twice, as a directory and as a symlink"), std::string::npos) << msg;
  msg = data_error({file("./lib/x", ""), symlink("./lib", "/etc")});
  EXPECT_NE(msg.find("appears twice"), std::string::npos) << msg;
  // A symlink's own target may point anywhere: the runtime resolves it inside the container.
  auto ok = read_deb_bytes(crafted_deb({symlink("./lib", "/etc"), symlink("./up", "../../..")}),
                           "ok.deb");
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->entries[0].link_target, "/etc");
  EXPECT_EQ(ok->entries[1].link_target, "../../..");
}

TEST(DebFile, RefusesPathsUnderAFile) {
  std::string msg = data_error({file("./a", "x"), file("./a/b", "y")});
  EXPECT_NE(msg.find("lies under 'a', which is a regular file"), std::string::npos) << msg;
}

TEST(DebFile, RefusesBadHardlinks) {
  std::string msg = data_error({hardlink("./usr/bin/x", "./usr/bin/nowhere")});
  EXPECT_NE(msg.find("'./usr/bin/x'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not an earlier entry"), std::string::npos) << msg;
  // The target must come first, as tar writes it.
  msg = data_error({hardlink("./b", "./a"), file("./a", "x")});
  EXPECT_NE(msg.find("not an earlier entry"), std::string::npos) << msg;
  msg = data_error({dir("./d"), hardlink("./e", "./d")});
  EXPECT_NE(msg.find("a directory"), std::string::npos) << msg;
  msg = data_error({file("./a", "x"), hardlink("./b", "../../etc/shadow")});
  EXPECT_NE(msg.find("'..'"), std::string::npos) << msg;
  // Implied folders are not entries either.
  msg = data_error({file("./usr/x", "x"), hardlink("./y", "./usr")});
  EXPECT_NE(msg.find("not an earlier entry"), std::string::npos) << msg;
}

TEST(DebFile, RefusesDuplicatePaths) {
  std::string msg = data_error({dir("./usr"), file("./usr", "x")});
  EXPECT_NE(msg.find("appears twice, as a directory and as a regular file"), std::string::npos)
      << msg;
  msg = data_error({file("./a", "1"), file("a", "2")});
  EXPECT_NE(msg.find("'a' appears twice"), std::string::npos) << msg;
}

TEST(DebFile, RefusesWhatIsNotAnArArchive) {
  EXPECT_NE(deb_error("").find("evil_1.0_all.deb"), std::string::npos);
  std::string msg = deb_error("just some text, no archive at all\n");
  EXPECT_NE(msg.find("not a .deb"), std::string::npos) << msg;
  msg = deb_error(make_tar({file("./control", kControl)}, ARCHIVE_FILTER_GZIP));
  EXPECT_NE(msg.find("not a .deb"), std::string::npos) << msg;
  msg = deb_error("!<arch>\n");
  EXPECT_NE(msg.find("no debian-binary"), std::string::npos) << msg;
}

TEST(DebFile, RefusesWrongMemberOrder) {
  std::string data = make_tar({file("a", "x")}, ARCHIVE_FILTER_XZ);
  std::string msg = deb_error(make_ar(
      {{"debian-binary", "2.0\n"}, {"data.tar.xz", data}, {"control.tar.xz", control_tar()}}));
  EXPECT_NE(msg.find("'data.tar.xz' where control.tar belongs"), std::string::npos) << msg;
  EXPECT_NE(msg.find("in that order"), std::string::npos) << msg;
  msg = deb_error(make_ar({{"control.tar.xz", control_tar()}, {"debian-binary", "2.0\n"}}));
  EXPECT_NE(msg.find("starts with member 'control.tar.xz'"), std::string::npos) << msg;
  msg = deb_error(make_ar({{"debian-binary", "2.0\n"}, {"control.tar.xz", control_tar()}}));
  EXPECT_NE(msg.find("has no data.tar member"), std::string::npos) << msg;
  msg = deb_error(make_ar(
      {{"debian-binary", "2.0\n"}, {"control.tar.xz", control_tar()}, {"data.tar.rar", data}}));
  EXPECT_NE(msg.find("'data.tar.rar'"), std::string::npos) << msg;
  msg = deb_error(
      make_ar({{"debian-binary", "2.0\n"},
               {"control.tar.bz2", make_tar({file("./control", kControl)}, ARCHIVE_FILTER_BZIP2)},
               {"data.tar.xz", data}}));
  EXPECT_NE(msg.find("'control.tar.bz2' where control.tar belongs"), std::string::npos) << msg;
}

TEST(DebFile, RefusesOtherFormatVersions) {
  auto with_version = [](std::string v) {
    return make_ar({{"debian-binary", std::move(v)},
                    {"control.tar.xz", control_tar()},
                    {"data.tar.xz", make_tar({}, ARCHIVE_FILTER_XZ)}});
  };
  std::string msg = deb_error(with_version("3.0\n"));
  EXPECT_NE(msg.find("debian-binary: format version 3.0 is not supported"), std::string::npos)
      << msg;
  msg = deb_error(with_version("0.939000\n"));
  EXPECT_NE(msg.find("format version 0.939000"), std::string::npos) << msg;
  msg = deb_error(with_version("garbage"));
  EXPECT_NE(msg.find("not a format version"), std::string::npos) << msg;
  msg = deb_error(with_version(std::string(5000, '2')));
  EXPECT_NE(msg.find("5000 bytes"), std::string::npos) << msg;
}

TEST(DebFile, RefusesCompressionTheNameDoesNotAnnounce) {
  std::string msg =
      deb_error(make_ar({{"debian-binary", "2.0\n"},
                         {"control.tar.xz", control_tar()},
                         {"data.tar.xz", make_tar({file("a", "x")}, ARCHIVE_FILTER_GZIP)}}));
  EXPECT_NE(msg.find("data.tar.xz: holds data compressed with gzip"), std::string::npos) << msg;
  msg = deb_error(make_ar({{"debian-binary", "2.0\n"},
                           {"control.tar.xz", control_tar()},
                           {"data.tar", make_tar({file("a", "x")}, ARCHIVE_FILTER_ZSTD)}}));
  EXPECT_NE(msg.find("compressed with zstd"), std::string::npos) << msg;
  msg = deb_error(make_ar({{"debian-binary", "2.0\n"},
                           {"control.tar.xz", control_tar()},
                           {"data.tar.gz", make_tar({file("a", "x")})}}));
  EXPECT_NE(msg.find("data.tar.gz: holds uncompressed data"), std::string::npos) << msg;
  // gzip around xz: dpkg would gunzip once and find no tar.
  std::string nested = compress(make_tar({file("a", "x")}, ARCHIVE_FILTER_XZ), ARCHIVE_FILTER_GZIP);
  msg = deb_error(make_ar(
      {{"debian-binary", "2.0\n"}, {"control.tar.xz", control_tar()}, {"data.tar.gz", nested}}));
  EXPECT_NE(msg.find("data.tar.gz: holds data compressed more than once"), std::string::npos)
      << msg;
}

TEST(DebFile, RefusesMissingOrOddControl) {
  auto with_control = [](std::vector<TarItem> items) {
    return make_ar({{"debian-binary", "2.0\n"},
                    {"control.tar.gz", make_tar(items, ARCHIVE_FILTER_GZIP)},
                    {"data.tar.xz", make_tar({}, ARCHIVE_FILTER_XZ)}});
  };
  std::string msg = deb_error(with_control({dir("./"), file("./md5sums", "")}));
  EXPECT_NE(msg.find("control.tar.gz: has no ./control file"), std::string::npos) << msg;
  msg = deb_error(with_control({symlink("./control", "/etc/passwd")}));
  EXPECT_NE(msg.find("is a symlink, not a regular file"), std::string::npos) << msg;
  msg = deb_error(with_control({file("./control", kControl), file("./control", kControl)}));
  EXPECT_NE(msg.find("appears twice"), std::string::npos) << msg;
  msg = deb_error(with_control({file("./control", kControl), file("../control", kControl)}));
  EXPECT_NE(msg.find("'..'"), std::string::npos) << msg;
  msg = deb_error(with_control({file("./control", kControl), file("./conffiles", "etc/rel\n")}));
  EXPECT_NE(msg.find("not an absolute path"), std::string::npos) << msg;
  msg = deb_error(with_control({file("./control", kControl), file("./conffiles", "/etc/../x\n")}));
  EXPECT_NE(msg.find("'..'"), std::string::npos) << msg;
}

TEST(DebFile, RefusesContentPastTheLimits) {
  DebLimits limits;
  limits.max_data_bytes = 1000;
  std::string msg = deb_error(
      crafted_deb({file("./small", std::string(500, 'a')), file("./big", std::string(600, 'b'))}),
      limits);
  EXPECT_NE(
      msg.find(
          "'./big' states a size of 600 bytes, which takes the package past the limit of 1000"),
      std::string::npos)
      << msg;
  limits = {};
  limits.max_entries = 3;  // the control file counts too
  msg = deb_error(crafted_deb({dir("./a"), dir("./b"), dir("./c")}), limits);
  EXPECT_NE(msg.find("more than 3 entries"), std::string::npos) << msg;
  limits = {};
  limits.max_control_file_bytes = 10;
  msg = deb_error(crafted_deb({}), limits);
  EXPECT_NE(msg.find("'./control' states a size of"), std::string::npos) << msg;
  limits = {};
  limits.max_member_bytes = 100;
  msg = deb_error(crafted_deb({}), limits);
  EXPECT_NE(msg.find("evil_1.0_all.deb: member 'control.tar.xz' states a size of"),
            std::string::npos)
      << msg;
}

// Rewrites the size field of the tar header at `offset` and fixes its checksum.
void patch_tar_size(std::string& tar, size_t offset, const char (&octal)[12]) {
  std::copy(octal, octal + 12, tar.begin() + static_cast<std::ptrdiff_t>(offset + 124));
  std::fill(tar.begin() + static_cast<std::ptrdiff_t>(offset + 148),
            tar.begin() + static_cast<std::ptrdiff_t>(offset + 156), ' ');
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) sum += static_cast<unsigned char>(tar[offset + i]);
  std::snprintf(&tar[offset + 148], 8, "%06o", sum);
  tar[offset + 155] = ' ';
}

TEST(DebFile, RefusesAbsurdSizesWithoutAllocating) {
  std::string tar = make_tar({file("./huge", "tiny")});
  patch_tar_size(tar, 0, "77777777777");  // 8 GiB - 1, past the 4 GiB default
  auto start = std::chrono::steady_clock::now();
  std::string msg = deb_error(
      make_ar({{"debian-binary", "2.0\n"}, {"control.tar.xz", control_tar()}, {"data.tar", tar}}));
  EXPECT_NE(msg.find("'./huge' states a size of 8589934591 bytes, which takes the package past the "
                     "limit of 4294967296 bytes"),
            std::string::npos)
      << msg;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // Under the limit but longer than the data that follows: an error, not a hang or a huge buffer.
  tar = make_tar({file("./huge", "tiny")});
  patch_tar_size(tar, 0, "37777777777");  // 4 GiB - 1
  msg = deb_error(
      make_ar({{"debian-binary", "2.0\n"}, {"control.tar.xz", control_tar()}, {"data.tar", tar}}));
  EXPECT_NE(msg.find("'./huge'"), std::string::npos) << msg;
}

TEST(DebFile, RefusesTruncatedPackages) {
  std::string deb = crafted_deb({dir("./usr"), file("./usr/a", std::string(3000, 'a')),
                                 file("./usr/b", binary_blob().substr(0, 5000))});
  ASSERT_TRUE(read_deb_bytes(deb, "whole").ok());
  for (size_t len :
       {size_t{0}, size_t{7}, size_t{8}, size_t{30}, size_t{68}, size_t{72}, size_t{140},
        deb.size() / 3, deb.size() / 2, deb.size() - 100, deb.size() - 2}) {
    std::string msg = deb_error(deb.substr(0, len));
    EXPECT_FALSE(msg.empty()) << "cut at " << len;
  }
  // Cut in the zero blocks that pad a tar after its end marker: the tar reads
  // as complete, but the member is not all there.
  std::string padded = make_tar({file("./a", "x")}) + std::string(300000, '\0');
  deb = make_ar(
      {{"debian-binary", "2.0\n"}, {"control.tar.xz", control_tar()}, {"data.tar", padded}});
  ASSERT_TRUE(read_deb_bytes(deb, "whole").ok());
  std::string msg = deb_error(deb.substr(0, deb.size() - 100));
  EXPECT_NE(msg.find("data.tar: cannot read: Truncated ar archive"), std::string::npos) << msg;
}

TEST(DebFile, RefusesNonUtf8NamesAndEscapesNamesInMessages) {
  std::string msg = data_error({file("./caf\xe9", "x")});
  EXPECT_NE(msg.find("entry './caf\\xe9' is not valid UTF-8"), std::string::npos) << msg;
  // A hostile name must not reach the terminal raw.
  msg = data_error({file("../\x1b]0;pwned\x07\x1b[2J", "x")});
  EXPECT_EQ(msg.find('\x1b'), std::string::npos) << msg;
  EXPECT_NE(msg.find("'../\\x1b]0;pwned\\x07\\x1b[2J'"), std::string::npos) << msg;
}

// With a spill folder, every file's content goes to one content pack there
// (zeros as holes) and the entries hold ranges of it, nothing in memory.
TEST(DebFile, PacksFileContentIntoTheSpillFolder) {
  constexpr size_t kBig = size_t{3} << 20;
  std::string big(kBig, '\0');
  big.replace(kBig / 3 + 5, 4, "data");
  big.back() = 'z';
  std::string deb_bytes = make_ar(
      {{"debian-binary", "2.0\n"},
       {"control.tar", make_tar({file("./control", kControl)})},
       {"data.tar.gz",
        make_tar({dir("./"), file("./big", big), file("./small", "tiny"), file("./empty", "")},
                 ARCHIVE_FILTER_GZIP)}});
  auto dir = core::TempDir::create();
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(core::write_file_atomic(dir->path() + "/x.deb", deb_bytes).ok());
  ASSERT_TRUE(core::make_dirs(dir->path() + "/spill").ok());
  auto r = read_deb(dir->path() + "/x.deb", "x.deb", {}, dir->path() + "/spill");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->entries.size(), 3u);
  for (const FsEntry& e : r->entries) {
    EXPECT_EQ(e.data, "") << e.path;
    EXPECT_TRUE(e.source_path.starts_with(dir->path() + "/spill/")) << e.path;
    EXPECT_EQ(e.source_path, r->entries[0].source_path) << "one pack per package";
    ASSERT_TRUE(e.source_range.has_value()) << e.path;
  }
  EXPECT_EQ(*oci::read_content(r->entries[0], kBig), big);
  EXPECT_EQ(*oci::read_content(r->entries[1], 100), "tiny");
  EXPECT_EQ(r->entries[1].source_range->size, 4u);
  EXPECT_EQ(*oci::read_content(r->entries[2], 100), "");
  // The zeros cost no disk: most of the 3 MiB is holes.
  struct stat st {};
  ASSERT_EQ(::stat(r->entries[0].source_path.c_str(), &st), 0);
  EXPECT_EQ(static_cast<size_t>(st.st_size), kBig + 4);
  EXPECT_LT(static_cast<size_t>(st.st_blocks) * 512, size_t{1} << 20);
  // A build reads every package into one spill folder, several at once: the
  // next package's pack must not collide with this one's.
  auto again = read_deb(dir->path() + "/x.deb", "y.deb", {}, dir->path() + "/spill");
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_NE(again->entries[0].source_path, r->entries[0].source_path);
  EXPECT_EQ(*oci::read_content(again->entries[0], kBig), big);
  EXPECT_EQ(*oci::read_content(r->entries[0], kBig), big);
}

// The control-only read stops before data.tar: it gives the control files of
// a package whose data it never decodes (here, data that is not even gzip).
TEST(DebFile, ReadsTheControlMemberAlone) {
  std::string deb_bytes =
      make_ar({{"debian-binary", "2.0\n"},
               {"control.tar",
                make_tar({file("./control", kControl), file("./md5sums", "0123  ./usr/x\n")})},
               {"data.tar.gz", "not gzip at all"}});
  auto dir = core::TempDir::create();
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(core::write_file_atomic(dir->path() + "/x.deb", deb_bytes).ok());
  auto r = read_deb_control(dir->path() + "/x.deb", "x.deb");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->control, kControl);
  EXPECT_EQ(r->md5sums, "0123  ./usr/x\n");
  EXPECT_TRUE(r->entries.empty());
  EXPECT_EQ(r->data_member, "");
  // The full read does decode data.tar, and refuses it.
  EXPECT_FALSE(read_deb(dir->path() + "/x.deb", "x.deb").ok());
  auto missing = read_deb_control("/nonexistent/x.deb", "x.deb");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().what.find("No such file"), std::string::npos);
}

TEST(DebFile, NamesAFileThatCannotBeOpened) {
  auto r = read_deb("/nonexistent/x.deb", "x.deb");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, "x.deb");
  EXPECT_NE(r.error().what.find("/nonexistent/x.deb"), std::string::npos) << r.error().what;
  EXPECT_NE(r.error().what.find("No such file"), std::string::npos) << r.error().what;
}

}  // namespace
}  // namespace deb_file_test
