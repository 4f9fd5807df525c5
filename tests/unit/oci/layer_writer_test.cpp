#include "oci/layer_writer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <cstdlib>
#include <ctime>
#include <random>

#include "core/decompress.hpp"
#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/temp_dir.hpp"
#include "unit/oci/oci_test_util.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using namespace distill::oci;
using distill::oci::test_util::read_tar;
using distill::oci::test_util::TarItem;

namespace {

class LayerWriterTest : public distill::test_support::TempFolderTest {
 protected:
  LayerBlob write(std::vector<FsEntry> entries, const LayerOptions& opts, const std::string& name) {
    auto r = write_layer(std::move(entries), opts, path(name));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    return r.ok() ? *r : LayerBlob{};
  }
};

// A rootfs-like mix: nested folders, a long name, UTF-8, setuid, owners,
// a hardlink whose target sorts after it, xattrs and a host file.
std::vector<FsEntry> rich_entries(const std::string& host_file) {
  std::vector<FsEntry> e;
  e.push_back(FsEntry::directory("usr/bin"));
  FsEntry ping = FsEntry::file("usr/bin/ping", "ELF ping", 04755);
  ping.xattrs["security.capability"] = std::string("\x01\x00\x00\x02", 4);
  e.push_back(ping);
  e.push_back(FsEntry::hardlink("usr/bin/aaa-ping", "usr/bin/ping"));
  e.push_back(FsEntry::symlink("bin", "usr/bin"));
  FsEntry owned = FsEntry::file("home/nonroot/.profile", "export X=1\n", 0600);
  owned.uid = 65532;
  owned.gid = 65532;
  owned.mtime = 4102444800;  // 2100: clamped
  e.push_back(owned);
  FsEntry old = FsEntry::file("etc/old", "x");
  old.mtime = 100;  // older than the epoch: kept
  e.push_back(old);
  e.push_back(FsEntry::file(
      "usr/share/ca-certificates/mozilla/"
      "NetLock_Arany_=Class_Gold=_F\xc5\x91tan\xc3\xba\xc5\x9b\xc3\xadtv\xc3\xa1ny.crt",
      "cert"));
  e.push_back(
      FsEntry::file("usr/lib/" + std::string(120, 'l') + "/" + std::string(90, 'n'), "long"));
  e.push_back(FsEntry::host_file("app/main", host_file, 0755));
  e.push_back(FsEntry::directory("tmp", 01777));
  return e;
}

TEST(LayerPathOrder, ParentsFirstAndSubtreesContiguous) {
  std::vector<std::string> paths = {"a-b", "a/b", "a", "a.b/c", "a/b/c", "B", "a/a"};
  std::sort(paths.begin(), paths.end(), layer_path_less);
  EXPECT_EQ(paths, (std::vector<std::string>{"B", "a", "a/a", "a/b", "a/b/c", "a-b", "a.b/c"}));
}

TEST(PlanLayer, SortsAddsParentsAndClamps) {
  std::vector<FsEntry> in;
  in.push_back(FsEntry::file("usr/share/doc/x", "x"));
  FsEntry newer = FsEntry::file("etc/a", "a");
  newer.mtime = 2000;
  in.push_back(newer);
  LayerOptions opts;
  opts.source_date_epoch = 1000;
  auto plan = plan_layer(in, opts);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  std::vector<std::string> paths;
  for (const auto& e : *plan) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"etc", "etc/a", "usr", "usr/share", "usr/share/doc",
                                             "usr/share/doc/x"}));
  EXPECT_EQ((*plan)[0].type, EntryType::kDirectory);
  EXPECT_EQ((*plan)[0].mode, 0755u);
  EXPECT_EQ((*plan)[0].mtime, 1000);  // added parents get the epoch
  EXPECT_EQ((*plan)[1].mtime, 1000);  // clamped
  EXPECT_EQ((*plan)[5].mtime, 0);     // older kept

  opts.add_parent_dirs = false;
  auto bare = plan_layer(in, opts);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->size(), 2u);
}

TEST(PlanLayer, RefusesConflicts) {
  LayerOptions opts;
  auto dup = plan_layer({FsEntry::file("a", "1"), FsEntry::file("./a", "2")}, opts);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().what, "is listed twice");

  auto under_file = plan_layer({FsEntry::file("a", "1"), FsEntry::file("a/b", "2")}, opts);
  ASSERT_FALSE(under_file.ok());
  EXPECT_EQ(under_file.error().where, "layer path 'a/b'");

  // A path through a symlink would let a layer write outside the folder it names.
  auto via_symlink =
      plan_layer({FsEntry::symlink("lib", "usr/lib"), FsEntry::file("lib/x.so", "")}, opts);
  ASSERT_FALSE(via_symlink.ok());
  EXPECT_NE(via_symlink.error().what.find("symlink"), std::string::npos);

  EXPECT_FALSE(plan_layer({FsEntry::hardlink("a", "missing")}, opts).ok());
  EXPECT_FALSE(plan_layer({FsEntry::directory("d"), FsEntry::hardlink("a", "d")}, opts).ok());
  EXPECT_FALSE(plan_layer({FsEntry::hardlink("a", "b"), FsEntry::hardlink("b", "a")}, opts).ok());
  EXPECT_FALSE(plan_layer({FsEntry::file("../evil", "")}, opts).ok());
  EXPECT_FALSE(plan_layer({FsEntry::file("/abs", "")}, opts).ok());
  opts.source_date_epoch = -1;
  EXPECT_FALSE(plan_layer({FsEntry::file("a", "")}, opts).ok());
}

TEST(PlanLayer, HardlinkContentMovesToTheFirstPath) {
  FsEntry real = FsEntry::file("z/real", "content", 0750);
  real.uid = 7;
  auto plan = plan_layer({real, FsEntry::hardlink("a/link", "z/real"),
                          FsEntry::hardlink("m/link2", "a/link")},  // a chain
                         LayerOptions{});
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  const FsEntry* a = nullptr;
  const FsEntry* m = nullptr;
  const FsEntry* z = nullptr;
  for (const auto& e : *plan) {
    if (e.path == "a/link") a = &e;
    if (e.path == "m/link2") m = &e;
    if (e.path == "z/real") z = &e;
  }
  ASSERT_TRUE(a && m && z);
  EXPECT_EQ(a->type, EntryType::kRegular);
  EXPECT_EQ(a->data, "content");
  EXPECT_EQ(a->mode, 0750u);
  EXPECT_EQ(a->uid, 7u);
  EXPECT_EQ(z->type, EntryType::kHardlink);
  EXPECT_EQ(z->link_target, "a/link");
  EXPECT_EQ(m->type, EntryType::kHardlink);
  EXPECT_EQ(m->link_target, "a/link");
  EXPECT_EQ(z->mode, 0750u);
}

TEST_F(LayerWriterTest, TarReadsBackExactly) {
  ASSERT_TRUE(core::write_file_atomic(path("host"), "from the host\n", 0600).ok());
  LayerOptions opts;
  opts.source_date_epoch = 1700000000;
  LayerBlob blob = write(rich_entries(path("host")), opts, "layer.tar.gz");
  std::vector<TarItem> items = read_tar(blob.path);
  std::map<std::string, TarItem> by;
  std::vector<std::string> order;
  for (const auto& t : items) {
    by[t.path] = t;
    order.push_back(t.path);
  }
  // Parents first, folders named with a trailing '/', nothing else added.
  EXPECT_EQ(order.front(), "app/");
  EXPECT_EQ(order.size(), 20u);
  for (const auto& t : items) {
    EXPECT_EQ(t.uname, "") << t.path;
    EXPECT_EQ(t.gname, "") << t.path;
    EXPECT_FALSE(t.atime_set) << t.path;
    EXPECT_FALSE(t.ctime_set) << t.path;
    EXPECT_LE(t.mtime, opts.source_date_epoch) << t.path;
  }
  EXPECT_EQ(by["usr/bin/ping"].mode, 04755u);
  // The hardlink sorted first, so it holds the content, mode and xattrs (one
  // inode) and ping links to it.
  EXPECT_EQ(by["usr/bin/aaa-ping"].content, "ELF ping");
  EXPECT_EQ(by["usr/bin/aaa-ping"].mode, 04755u);
  EXPECT_EQ(by["usr/bin/aaa-ping"].xattrs["security.capability"],
            std::string("\x01\x00\x00\x02", 4));
  EXPECT_TRUE(by["usr/bin/ping"].xattrs.empty());
  EXPECT_EQ(by["usr/bin/ping"].hardlink, "usr/bin/aaa-ping");
  EXPECT_EQ(by["bin"].type, AE_IFLNK);
  EXPECT_EQ(by["bin"].symlink, "usr/bin");
  EXPECT_EQ(by["home/nonroot/.profile"].uid, 65532);
  EXPECT_EQ(by["home/nonroot/.profile"].gid, 65532);
  EXPECT_EQ(by["home/nonroot/.profile"].mode, 0600u);
  EXPECT_EQ(by["home/nonroot/.profile"].mtime, 1700000000);
  EXPECT_EQ(by["etc/old"].mtime, 100);
  EXPECT_EQ(by["home/"].uid, 0);
  EXPECT_EQ(by["home/"].mode, 0755u);
  EXPECT_EQ(by["tmp/"].mode, 01777u);
  EXPECT_EQ(by["app/main"].content, "from the host\n");
  EXPECT_EQ(by["app/main"].mode, 0755u);
  EXPECT_EQ(by["usr/lib/" + std::string(120, 'l') + "/" + std::string(90, 'n')].content, "long");
  EXPECT_TRUE(
      by.count("usr/share/ca-certificates/mozilla/"
               "NetLock_Arany_=Class_Gold=_F\xc5\x91tan\xc3\xba\xc5\x9b\xc3\xadtv\xc3\xa1ny.crt"));
}

TEST_F(LayerWriterTest, DigestsDescribeTheBlobAndTheTar) {
  LayerBlob blob = write(oci::test_util::base_layer_entries(), LayerOptions{}, "l.gz");
  auto bytes = core::read_file(blob.path);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(blob.digest.hex(), core::sha256_hex(*bytes));
  EXPECT_EQ(blob.size, static_cast<int64_t>(bytes->size()));
  auto tar = core::decompress(*bytes, "layer");
  ASSERT_TRUE(tar.ok());
  EXPECT_EQ(blob.diff_id.hex(), core::sha256_hex(*tar));
  EXPECT_EQ(blob.uncompressed_size, static_cast<int64_t>(tar->size()));
  EXPECT_EQ(blob.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  // A tar stream: whole 512-byte records ending in two zero records, no padding beyond.
  EXPECT_EQ(tar->size() % 512, 0u);
  EXPECT_EQ(tar->substr(tar->size() - 1024), std::string(1024, '\0'));
  EXPECT_NE(tar->substr(tar->size() - 1536, 512), std::string(512, '\0'));

  LayerOptions plain;
  plain.compression = Compression::kNone;
  LayerBlob raw = write(oci::test_util::base_layer_entries(), plain, "l.tar");
  EXPECT_EQ(raw.digest, raw.diff_id);
  EXPECT_EQ(raw.diff_id, blob.diff_id);  // compression does not change the tar
  EXPECT_EQ(raw.media_type, "application/vnd.oci.image.layer.v1.tar");
}

TEST_F(LayerWriterTest, DeterministicAcrossOrderUmaskTimezoneAndLocale) {
  ASSERT_TRUE(core::write_file_atomic(path("host"), "host bytes", 0644).ok());
  auto entries = rich_entries(path("host"));
  for (auto compression : {Compression::kGzip, Compression::kZstd}) {
    LayerOptions opts;
    opts.compression = compression;
    LayerBlob first = write(entries, opts, "a");

    auto shuffled = entries;
    std::mt19937 rng(42);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    mode_t old_umask = ::umask(077);
    const char* old_tz = std::getenv("TZ");
    std::string saved_tz = old_tz ? old_tz : "";
    ::setenv("TZ", "Asia/Kathmandu", 1);
    ::tzset();
    std::string old_locale = std::setlocale(LC_ALL, nullptr);
    std::setlocale(LC_ALL, "C");  // libarchive would write UTF-8 names differently here
    LayerBlob second = write(shuffled, opts, "b");
    std::setlocale(LC_ALL, "C.UTF-8");
    LayerBlob third = write(shuffled, opts, "c");
    std::setlocale(LC_ALL, old_locale.c_str());
    if (old_tz)
      ::setenv("TZ", saved_tz.c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
    ::umask(old_umask);

    EXPECT_EQ(first.diff_id, second.diff_id) << compression_name(compression);
    EXPECT_EQ(first.digest, second.digest) << compression_name(compression);
    EXPECT_EQ(first.digest, third.digest) << compression_name(compression);
    EXPECT_EQ(first.size, second.size);
    struct stat st {};
    ASSERT_EQ(::stat(second.path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);  // the blob's mode ignores the umask
  }
}

// The tar bytes are the reproducibility contract: a libarchive upgrade or a
// writer change that alters them must be noticed, not shipped silently.
TEST_F(LayerWriterTest, TarBytesAreStable) {
  LayerOptions opts;
  opts.compression = Compression::kNone;
  auto entries = rich_entries(path("host"));
  ASSERT_TRUE(core::write_file_atomic(path("host"), "stable", 0644).ok());
  LayerBlob blob = write(entries, opts, "l.tar");
  auto tar = core::read_file(blob.path);
  ASSERT_TRUE(tar.ok());
  EXPECT_EQ(tar->find("hdrcharset"), std::string::npos);  // UTF-8 names as UTF-8
  EXPECT_EQ(tar->find("LIBARCHIVE.xattr"), std::string::npos);
  EXPECT_NE(tar->find("SCHILY.xattr.security.capability="), std::string::npos);
  EXPECT_EQ(tar->find("PaxHeaders."), std::string::npos);  // no pid in header names
  EXPECT_EQ(blob.diff_id.hex(), "47af69dd8f24a317f5f984985af2453662435ff3238cd6410de0bd7bc45b40b2");
}

TEST_F(LayerWriterTest, DifferentContentGivesDifferentDigests) {
  LayerBlob a = write({FsEntry::file("f", "1")}, LayerOptions{}, "a");
  LayerBlob b = write({FsEntry::file("f", "2")}, LayerOptions{}, "b");
  FsEntry m = FsEntry::file("f", "1", 0600);
  LayerBlob c = write({m}, LayerOptions{}, "c");
  EXPECT_NE(a.diff_id, b.diff_id);
  EXPECT_NE(a.diff_id, c.diff_id);
}

TEST_F(LayerWriterTest, SystemTarListsNumericOwnersAndModes) {
  std::string tar = oci::test_util::require_tool("tar");
  FsEntry exe = FsEntry::file("usr/bin/app", "#!/bin/sh\n", 0755);
  exe.uid = 1000;
  exe.gid = 1001;
  LayerBlob blob = write({exe, FsEntry::symlink("usr/bin/sh", "app")}, LayerOptions{}, "l.gz");
  // GNU tar prints times in the local zone: pin it so the listing is exact.
  auto r =
      oci::test_util::run({"env", "TZ=UTC", "LC_ALL=C", tar, "--numeric-owner", "-tvf", blob.path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            "drwxr-xr-x 0/0               0 1970-01-01 00:00 usr/\n"
            "drwxr-xr-x 0/0               0 1970-01-01 00:00 usr/bin/\n"
            "-rwxr-xr-x 1000/1001        10 1970-01-01 00:00 usr/bin/app\n"
            "lrwxrwxrwx 0/0               0 1970-01-01 00:00 usr/bin/sh -> app\n");
}

TEST_F(LayerWriterTest, GzipAndZstdToolsAcceptTheBlobs) {
  std::string gzip = oci::test_util::require_tool("gzip");
  std::string zstd = oci::test_util::require_tool("zstd");
  LayerBlob gz = write(oci::test_util::base_layer_entries(), LayerOptions{}, "l.gz");
  LayerOptions z;
  z.compression = Compression::kZstd;
  LayerBlob zs = write(oci::test_util::base_layer_entries(), z, "l.zst");
  EXPECT_EQ(zs.media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
  auto g = oci::test_util::run({gzip, "-t", gz.path});
  EXPECT_EQ(g.exit_code, 0) << g.err;
  auto t = oci::test_util::run({zstd, "-q", "-t", zs.path});
  EXPECT_EQ(t.exit_code, 0) << t.err;
  // Same tar inside both.
  EXPECT_EQ(gz.diff_id, zs.diff_id);
}

TEST_F(LayerWriterTest, FailureLeavesNoBlobAndNoTemporary) {
  std::vector<FsEntry> entries = oci::test_util::base_layer_entries();
  entries.push_back(FsEntry::host_file("app/missing", path("does-not-exist")));
  auto r = write_layer(entries, LayerOptions{}, path("layer.gz"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, path("does-not-exist"));
  EXPECT_EQ(oci::test_util::list_dir(dir_->path()), std::vector<std::string>{});

  auto invalid = write_layer({FsEntry::file("../x", "")}, LayerOptions{}, path("layer.gz"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(oci::test_util::list_dir(dir_->path()), std::vector<std::string>{});
}

TEST_F(LayerWriterTest, RefusesNonRegularSourceFile) {
  auto r = write_layer({FsEntry::host_file("x", "/dev/null")}, LayerOptions{}, path("l"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what, "is not a regular file");
}

// A host file swapped for a symlink after the walk that listed it (to a
// file the user never named, say /etc/shadow) must not be read through it.
TEST_F(LayerWriterTest, NeverReadsASourceThroughASymlink) {
  ASSERT_TRUE(core::write_file_atomic(path("secret"), "not yours", 0600).ok());
  ASSERT_EQ(::symlink(path("secret").c_str(), path("app.conf").c_str()), 0);
  auto r =
      write_layer({FsEntry::host_file("app.conf", path("app.conf"))}, LayerOptions{}, path("l"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where, path("app.conf"));
}

TEST_F(LayerWriterTest, LargeHostFileStreams) {
  // 8 MiB of mixed data through the whole pipeline, read back intact.
  std::string big;
  big.reserve(8 << 20);
  std::mt19937 rng(1);
  while (big.size() < (8u << 20)) big += "row " + std::to_string(rng() % 100000) + " ";
  ASSERT_TRUE(core::write_file_atomic(path("big"), big).ok());
  LayerBlob blob = write({FsEntry::host_file("data/big", path("big"))}, LayerOptions{}, "l.gz");
  auto items = read_tar(blob.path);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].content.size(), big.size());
  EXPECT_TRUE(items[1].content == big);
  EXPECT_LT(blob.size, static_cast<int64_t>(big.size()));
}

}  // namespace
