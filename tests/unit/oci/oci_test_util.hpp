#pragma once

// Helpers shared by the OCI tests: reading tars back, running external tools
// in a sandboxed environment, and a small two-layer image.

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/process.hpp"
#include "core/temp_dir.hpp"
#include "oci/archive_util.hpp"
#include "oci/image.hpp"
#include "oci/layer_writer.hpp"

namespace distill::oci::test_util {

struct TarItem {
  std::string path;
  int type = 0;  // AE_IFREG, AE_IFDIR, AE_IFLNK
  unsigned mode = 0;
  int64_t uid = -1, gid = -1;
  std::string uname, gname;
  int64_t mtime = -1;
  bool atime_set = false, ctime_set = false;
  std::string symlink, hardlink;
  std::string content;
  std::map<std::string, std::string> xattrs;
};

// Reads a (possibly compressed) tar with libarchive; fails the test on error.
inline std::vector<TarItem> read_tar(const std::string& path) {
  std::vector<TarItem> out;
  ScopedUtf8Locale utf8;  // so that UTF-8 names convert without warnings
  archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 1 << 16), ARCHIVE_OK)
      << archive_error_string(a);
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    TarItem t;
    t.path = archive_entry_pathname(e);
    t.type = static_cast<int>(archive_entry_filetype(e));
    t.mode = archive_entry_perm(e);
    t.uid = archive_entry_uid(e);
    t.gid = archive_entry_gid(e);
    t.uname = archive_entry_uname(e) ? archive_entry_uname(e) : "";
    t.gname = archive_entry_gname(e) ? archive_entry_gname(e) : "";
    t.mtime = archive_entry_mtime(e);
    t.atime_set = archive_entry_atime_is_set(e);
    t.ctime_set = archive_entry_ctime_is_set(e);
    if (archive_entry_symlink(e)) t.symlink = archive_entry_symlink(e);
    if (archive_entry_hardlink(e)) t.hardlink = archive_entry_hardlink(e);
    archive_entry_xattr_reset(e);
    const char* name;
    const void* value;
    size_t size;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
      t.xattrs[name] = std::string(static_cast<const char*>(value), size);
    char buf[65536];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
      t.content.append(buf, static_cast<size_t>(n));
    out.push_back(std::move(t));
  }
  EXPECT_EQ(rc, ARCHIVE_EOF) << archive_error_string(a);
  archive_read_free(a);
  return out;
}

// Runs a program; external tools are required, so a missing one fails the test.
inline core::ProcessResult run(const std::vector<std::string>& argv) {
  auto r = core::system_process_runner().run(argv);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  if (!r.ok()) return core::ProcessResult{};
  return *r;
}

inline std::string require_tool(const std::string& name) {
  std::string path = core::find_program(name);
  EXPECT_FALSE(path.empty()) << name << " is not installed; these tests need it (apt install "
                             << name << ")";
  return path;
}

// Entries for the image's first layer: a folder, a file, an executable and a symlink.
inline std::vector<FsEntry> base_layer_entries() {
  std::vector<FsEntry> e;
  e.push_back(FsEntry::directory("etc"));
  e.push_back(FsEntry::file("etc/hello.txt", "hello from distill\n"));
  FsEntry app = FsEntry::file("usr/bin/app", "#!/bin/sh\necho app\n", 0755);
  e.push_back(app);
  e.push_back(FsEntry::symlink("usr/bin/app-link", "app"));
  return e;
}

inline std::vector<FsEntry> top_layer_entries() {
  std::vector<FsEntry> e;
  FsEntry data = FsEntry::file("srv/data/readme", "layer two\n");
  data.uid = 65532;
  data.gid = 65532;
  e.push_back(data);
  return e;
}

// A two-layer image with its blobs written under `dir`.
inline Image two_layer_image(const std::string& dir, const Platform& platform,
                             Compression compression = Compression::kGzip) {
  Image img;
  LayerOptions opts;
  opts.compression = compression;
  auto l1 = write_layer(base_layer_entries(), opts, dir + "/layer1-" + platform.architecture);
  auto l2 = write_layer(top_layer_entries(), opts, dir + "/layer2-" + platform.architecture);
  EXPECT_TRUE(l1.ok()) << (l1.ok() ? "" : l1.error().message());
  EXPECT_TRUE(l2.ok()) << (l2.ok() ? "" : l2.error().message());
  if (!l1.ok() || !l2.ok()) return img;
  img.layers = {*l1, *l2};
  img.config.platform = platform;
  img.config.config.entrypoint = {"/usr/bin/app"};
  img.config.config.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  img.config.config.user = "65532";
  img.config.config.exposed_ports = {"8080/tcp"};
  img.config.history = {{"distill: base", "", false}, {"distill: files", "", false}};
  img.annotations = {{"org.opencontainers.image.title", "test"}};
  return img;
}

inline Platform amd64() {
  return Platform{"linux", "amd64", ""};
}
inline Platform arm64() {
  return Platform{"linux", "arm64", "v8"};
}

// Sorted names in a folder, without "." and "..".
inline std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") out.push_back(name);
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace distill::oci::test_util
