#include "effects/ld_cache.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/file_util.hpp"
#include "core/temp_dir.hpp"

namespace distill::effects {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLdconfig = "/usr/sbin/ldconfig";
constexpr const char* kHostLibs = "/usr/lib/x86_64-linux-gnu";

// One object of an image root, laid out both on disk (for the host's
// ldconfig) and in a Tree (for ours).
struct Node {
  enum Kind { kDir, kFile, kLink } kind;
  std::string path;  // relative to the root
  std::string data;  // kFile: the bytes; kLink: the target
};

std::string slurp(const std::string& path) {
  auto r = core::read_file(path);
  EXPECT_TRUE(r.ok()) << path;
  return r.ok() ? *r : std::string();
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>/dev/null").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << command;
  return out;
}

// A host library under its soname, as Debian ships it: the real file, the
// soname link to it, and the "lib*.so" development link when `dev` is set.
void add_host_library(std::vector<Node>& nodes, const std::string& dir, const std::string& soname,
                      bool dev = false) {
  std::error_code ec;
  fs::path real = fs::canonical(fs::path(kHostLibs) / soname, ec);
  if (ec) return;  // not on this host: the comparison covers what is
  std::string name = real.filename().string();
  nodes.push_back({Node::kFile, dir + "/" + name, slurp(real.string())});
  if (name != soname) nodes.push_back({Node::kLink, dir + "/" + soname, name});
  if (dev) {
    std::string link = soname.substr(0, soname.find(".so") + 3);
    nodes.push_back({Node::kLink, dir + "/" + link, name});
  }
}

// i386 objects and an object without SONAME, when the host has them.
void add_ldc_host_file(std::vector<Node>& nodes, const std::string& path, const std::string& host) {
  if (!host.empty() && fs::exists(host)) nodes.push_back({Node::kFile, path, slurp(host)});
}

// A Python extension module: a shared object without DT_SONAME.
std::string no_soname_object() {
  std::error_code ec;
  for (const auto& dir : fs::directory_iterator("/usr/lib", ec)) {
    fs::path p = dir.path() / "lib-dynload";
    if (!dir.path().filename().string().starts_with("python3") || !fs::is_directory(p)) continue;
    for (const auto& f : fs::directory_iterator(p, ec))
      if (f.path().filename().string().starts_with("_typing.")) return f.path().string();
  }
  return {};
}

std::string with_machine(std::string elf, uint16_t machine) {
  elf[18] = static_cast<char>(machine & 0xff);
  elf[19] = static_cast<char>(machine >> 8);
  return elf;
}

// A merged-/usr Debian amd64 root: Debian's ld.so.conf and ld.so.conf.d,
// a dozen host libraries with their links, a linker script, an object
// without SONAME, the same soname in two folders, i386 objects in /usr/lib32,
// an object for another machine, and files ldconfig must skip.
std::vector<Node> debian_root() {
  const std::string multi = "usr/lib/x86_64-linux-gnu";
  std::vector<Node> n = {
      {Node::kDir, "etc", ""},
      {Node::kDir, "etc/ld.so.conf.d", ""},
      {Node::kFile, "etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n\n"},
      {Node::kFile, "etc/ld.so.conf.d/libc.conf", "# libc default configuration\n/usr/local/lib\n"},
      {Node::kFile, "etc/ld.so.conf.d/x86_64-linux-gnu.conf",
       "# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n"
       "/usr/lib/x86_64-linux-gnu\n"},
      {Node::kFile, "etc/ld.so.conf.d/zz_i386-biarch-compat.conf",
       "# Legacy biarch compatibility support\n/lib32\n/usr/lib32\n"},
      {Node::kFile, "etc/ld.so.conf.d/extra.conf", "  /opt/extra/lib/  # trailing slash\n"},
      {Node::kFile, "etc/ld.so.conf.d/.hidden.conf", "/opt/hidden\n"},
      // A folder met twice keeps its first path and takes the later type.
      {Node::kFile, "etc/ld.so.conf.d/typed.conf",
       "/opt/alias\nhwcap 0 nosegneg\n/opt/typed=libc6\n"},
      {Node::kDir, "usr", ""},
      {Node::kDir, "usr/lib", ""},
      {Node::kDir, multi, ""},
      {Node::kDir, "usr/lib64", ""},
      {Node::kDir, "usr/lib32", ""},
      {Node::kDir, "usr/local", ""},
      {Node::kDir, "usr/local/lib", ""},
      {Node::kDir, "usr/local/lib/x86_64-linux-gnu", ""},
      {Node::kDir, "opt", ""},
      {Node::kDir, "opt/extra", ""},
      {Node::kDir, "opt/extra/lib", ""},
      {Node::kDir, "opt/hidden", ""},
      {Node::kDir, "opt/typed", ""},
      {Node::kLink, "opt/alias", "typed"},
      {Node::kLink, "lib", "usr/lib"},
      {Node::kLink, "lib64", "usr/lib64"},
      {Node::kLink, "lib32", "usr/lib32"},
      {Node::kLink, "usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
      {Node::kFile, multi + "/libc.so", "/* GNU ld script */\nGROUP ( libc.so.6 )\n"},
      {Node::kFile, multi + "/libnotes.txt", "not a library"},
      {Node::kFile, multi + "/libempty.so.1", ""},
  };
  for (const char* so : {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libgcc_s.so.1",
                         "libstdc++.so.6", "libcrypto.so.3", "libzstd.so.1", "liblzma.so.5",
                         "libbz2.so.1.0", "libsqlite3.so.0", "libcurl.so.4"})
    add_host_library(n, multi, so);
  add_host_library(n, multi, "libz.so.1", true);
  add_host_library(n, multi, "libssl.so.3", true);
  add_host_library(n, "usr/local/lib/x86_64-linux-gnu", "libz.so.1");
  add_host_library(n, "opt/hidden", "liblzma.so.5");
  add_ldc_host_file(n, "usr/lib32/libc.so.6", "/usr/lib32/libc.so.6");
  add_ldc_host_file(n, "usr/lib32/ld-linux.so.2", "/usr/lib32/ld-linux.so.2");
  add_ldc_host_file(n, "opt/typed/ld-linux.so.2", "/usr/lib32/ld-linux.so.2");
  add_ldc_host_file(n, "opt/extra/lib/libnosoname.so.3", no_soname_object());
  n.push_back({Node::kFile, "opt/extra/lib/libarm.so.1",
               with_machine(slurp(std::string(kHostLibs) + "/libz.so.1"), 183)});
  return n;
}

void write_disk(const std::string& root, const std::vector<Node>& nodes) {
  for (const auto& node : nodes) {
    fs::path p = fs::path(root) / node.path;
    if (node.kind == Node::kDir) {
      fs::create_directories(p);
    } else if (node.kind == Node::kLink) {
      fs::create_symlink(node.data, p);
    } else {
      std::ofstream(p, std::ios::binary) << node.data;
    }
  }
}

Tree make_tree(const std::vector<Node>& nodes, const std::string& spill_root = {}) {
  Tree t;
  for (const auto& node : nodes) {
    if (node.kind == Node::kDir) {
      t.put(oci::FsEntry::directory(node.path));
    } else if (node.kind == Node::kLink) {
      t.put(oci::FsEntry::symlink(node.path, node.data));
    } else if (!spill_root.empty() && node.data.size() > 100000) {
      // Large files are spilled to disk by the .deb reader: read those back.
      t.put(oci::FsEntry::host_file(node.path, spill_root + "/" + node.path, 0755));
    } else {
      t.put(oci::FsEntry::file(node.path, node.data));
    }
  }
  return t;
}

// `ldconfig -p -C file` without the line naming the file, and the generator.
struct Printed {
  std::string count_line;
  std::vector<std::string> entries;
  std::string generator;
};

Printed print_cache(const std::string& file) {
  Printed p;
  std::istringstream in(run(std::string(kLdconfig) + " -p -C " + file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("\t"))
      p.entries.push_back(line);
    else if (line.starts_with("Cache generated by: "))
      p.generator = line;
    else if (p.count_line.empty())
      p.count_line = line.substr(0, line.find('`'));
  }
  return p;
}

class LdCacheHost : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(access(kLdconfig, X_OK), 0) << kLdconfig << " is needed: the host's ldconfig judges";
    auto dir = core::TempDir::create({}, "ldcache-test");
    ASSERT_TRUE(dir.ok());
    tmp_ = std::make_unique<core::TempDir>(std::move(*dir));
    root_ = tmp_->path() + "/root";
    nodes_ = debian_root();
    write_disk(root_, nodes_);
  }

  std::unique_ptr<core::TempDir> tmp_;
  std::string root_;
  std::vector<Node> nodes_;
};

TEST_F(LdCacheHost, LdconfigPrintsTheSameListForOurCacheAsForItsOwn) {
  Tree tree = make_tree(nodes_, root_);
  auto entries = scan_ld_libraries(tree, "amd64");
  ASSERT_TRUE(entries.ok()) << entries.error().message();
  std::string ours = tmp_->path() + "/ours.cache";
  ASSERT_TRUE(core::write_file_atomic(ours, write_ld_cache(*entries, "amd64")).ok());

  run(std::string(kLdconfig) + " -r " + root_);
  Printed want = print_cache(root_ + "/etc/ld.so.cache");
  Printed got = print_cache(ours);
  ASSERT_FALSE(want.entries.empty());
  EXPECT_EQ(got.count_line, want.count_line);
  EXPECT_EQ(got.entries, want.entries);
  EXPECT_EQ(got.generator, "Cache generated by: distill (glibc ld.so.cache format 1.1)");

  // What the list must hold, so an ldconfig that skipped everything cannot pass.
  std::string all;
  for (const auto& e : got.entries) all += e + "\n";
  if (getenv("LDCACHE_TEST_PRINT")) std::cout << want.count_line << "\n" << all << got.generator;
  EXPECT_NE(all.find("\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6\n"),
            std::string::npos);
  if (fs::exists("/usr/lib32/ld-linux.so.2")) {
    EXPECT_NE(all.find("\tlibc.so.6 (libc6) => /lib32/libc.so.6\n"), std::string::npos);
    EXPECT_NE(all.find("\tld-linux.so.2 (ELF) => /lib32/ld-linux.so.2\n"), std::string::npos);
    EXPECT_NE(all.find("\tld-linux.so.2 (libc6) => /opt/alias/ld-linux.so.2\n"), std::string::npos);
  }
  EXPECT_NE(all.find("\tlibz.so (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so\n"),
            std::string::npos);
  if (!no_soname_object().empty()) {
    EXPECT_NE(all.find("\tlibnosoname.so.3 (libc6,x86-64) => /opt/extra/lib/libnosoname.so.3\n"),
              std::string::npos);
  }
  EXPECT_LT(all.find("/usr/local/lib/x86_64-linux-gnu/libz.so.1"),
            all.find("/lib/x86_64-linux-gnu/libz.so.1"));
  EXPECT_EQ(all.find("libc.so ("), std::string::npos);
  EXPECT_EQ(all.find("/opt/hidden"), std::string::npos);
  EXPECT_EQ(all.find("libarm"), std::string::npos);
  EXPECT_EQ(all.find("/lib64"), std::string::npos);
}

TEST_F(LdCacheHost, OurBytesAreLdconfigsUpToTheGeneratorString) {
  Tree tree = make_tree(nodes_);
  auto entries = scan_ld_libraries(tree, "amd64");
  ASSERT_TRUE(entries.ok()) << entries.error().message();
  std::string ours = write_ld_cache(*entries, "amd64");
  run(std::string(kLdconfig) + " -r " + root_);
  std::string theirs = slurp(root_ + "/etc/ld.so.cache");
  std::string generator = "distill (glibc ld.so.cache format 1.1)";
  ASSERT_GT(ours.size(), generator.size());
  size_t body = ours.size() - generator.size();
  ASSERT_GE(theirs.size(), body);
  EXPECT_EQ(ours.substr(0, body - 4), theirs.substr(0, body - 4));
}

TEST(LdCache, AddsTheCacheToTheTreeAndParsesItBack) {
  Tree tree = make_tree(debian_root());
  auto n = add_ld_cache(tree, "amd64");
  ASSERT_TRUE(n.ok()) << n.error().message();
  const oci::FsEntry* e = tree.find("etc/ld.so.cache");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->mode, 0644u);
  auto parsed = parse_ld_cache(e->data);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->size(), *n);
  EXPECT_GE(*n, 15u);
}

TEST(LdCache, ScansOnlyTheObjectsTheTargetsLdconfigAccepts) {
  std::string libz = slurp(std::string(kHostLibs) + "/libz.so.1");
  Tree t;
  for (const char* d : {"usr", "usr/lib", "usr/lib/aarch64-linux-gnu"})
    t.put(oci::FsEntry::directory(d));
  t.put(oci::FsEntry::symlink("lib", "usr/lib"));
  t.put(oci::FsEntry::file("usr/lib/aarch64-linux-gnu/libarm.so.1", with_machine(libz, 183)));
  t.put(oci::FsEntry::file("usr/lib/aarch64-linux-gnu/libx86.so.1", libz));
  auto arm = scan_ld_libraries(t, "arm64");
  ASSERT_TRUE(arm.ok()) << arm.error().message();
  // An x86-64 object is a 64-bit object to aarch64's ldconfig, which checks no machine.
  std::vector<LdCacheEntry> want = {
      {"libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1", kLdFlagElfLibc6 | kLdFlagAarch64Lib64, 0}};
  EXPECT_EQ(*arm, want);
  auto amd = scan_ld_libraries(t, "amd64");
  ASSERT_TRUE(amd.ok());
  EXPECT_TRUE(amd->empty());  // no x86_64 multiarch folder, and /lib holds none
  EXPECT_FALSE(scan_ld_libraries(t, "sparc").ok());
}

TEST(LdCache, FollowsRelativeIncludesInNameOrderAndTheFirstFolderWins) {
  std::string libz = slurp(std::string(kHostLibs) + "/libz.so.1");
  Tree t;
  for (const char* d : {"etc", "etc/conf.d", "opt", "opt/a", "opt/b"})
    t.put(oci::FsEntry::directory(d));
  t.put(oci::FsEntry::file("etc/ld.so.conf", "include conf.d/*.conf\n"));
  t.put(oci::FsEntry::file("etc/conf.d/2.conf", "/opt/a\n"));
  t.put(oci::FsEntry::file("etc/conf.d/1.conf", "/opt/b\n"));
  t.put(oci::FsEntry::file("opt/a/libz.so.1", libz));
  t.put(oci::FsEntry::file("opt/b/libz.so.1", libz));
  auto scanned = scan_ld_libraries(t, "amd64");
  ASSERT_TRUE(scanned.ok()) << scanned.error().message();
  auto parsed = parse_ld_cache(write_ld_cache(*scanned, "amd64"));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].path, "/opt/b/libz.so.1");
  EXPECT_EQ((*parsed)[1].path, "/opt/a/libz.so.1");
}

TEST(LdCache, RefusesAConfigurationThatIncludesItself) {
  Tree t;
  t.put(oci::FsEntry::directory("etc"));
  t.put(oci::FsEntry::file("etc/ld.so.conf", "include /etc/ld.so.conf\n"));
  EXPECT_FALSE(scan_ld_libraries(t, "amd64").ok());
}

std::vector<LdCacheEntry> amd64_entries() {
  int32_t x64 = kLdFlagElfLibc6 | kLdFlagX8664Lib64;
  return {
      {"libfoo.so.9", "/usr/lib/x86_64-linux-gnu/libfoo.so.9", x64, 0},
      {"libc.so.6", "/lib32/libc.so.6", kLdFlagElfLibc6, 0},
      {"libfoo.so.10", "/usr/lib/x86_64-linux-gnu/libfoo.so.10", x64, 0},
      {"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", x64, 0},
      {"libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", x64, 0},
      {"libfoo.so", "/usr/lib/x86_64-linux-gnu/libfoo.so", x64, 0},
      {"libbar.so.1", "/usr/lib/x86_64-linux-gnu/tls/libbar.so.1", x64, uint64_t{1} << 63},
      {"libbar.so.1", "/usr/lib/x86_64-linux-gnu/libbar.so.1", x64, 0},
  };
}

TEST(LdCache, SortsAsLdconfigAndRoundTrips) {
  auto parsed = parse_ld_cache(write_ld_cache(amd64_entries(), "amd64"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  std::vector<std::string> paths;
  for (const auto& e : *parsed) paths.push_back(e.path);
  // Keys descending with numbers compared as numbers; higher flags, then more
  // hwcap bits first; equal entries keep their order (the first folder wins).
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "/usr/lib/x86_64-linux-gnu/libfoo.so.10",
                       "/usr/lib/x86_64-linux-gnu/libfoo.so.9",
                       "/usr/lib/x86_64-linux-gnu/libfoo.so",
                       "/lib/x86_64-linux-gnu/libc.so.6",
                       "/usr/lib/x86_64-linux-gnu/libc.so.6",
                       "/lib32/libc.so.6",
                       "/usr/lib/x86_64-linux-gnu/tls/libbar.so.1",
                       "/usr/lib/x86_64-linux-gnu/libbar.so.1",
                   }));
  EXPECT_EQ((*parsed)[6].hwcap, uint64_t{1} << 63);
  EXPECT_EQ((*parsed)[5].flags, kLdFlagElfLibc6);
}

TEST(LdCache, RoundTripsArm64EntriesAndIsDeterministic) {
  int32_t a64 = kLdFlagElfLibc6 | kLdFlagAarch64Lib64;
  std::vector<LdCacheEntry> in = {
      {"libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1", a64, 0},
      {"libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", a64, 0},
      {"ld-linux-aarch64.so.1", "/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1", a64, 0},
  };
  std::string bytes = write_ld_cache(in, "arm64");
  EXPECT_EQ(bytes, write_ld_cache(in, "arm64"));
  auto parsed = parse_ld_cache(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  std::vector<LdCacheEntry> want = {in[0], in[1], in[2]};
  EXPECT_EQ(*parsed, want);
  // s390x is big-endian: the same entries read back from the other byte order.
  auto be = parse_ld_cache(write_ld_cache(in, "s390x"));
  ASSERT_TRUE(be.ok()) << be.error().message();
  EXPECT_EQ(*be, want);
  auto empty = parse_ld_cache(write_ld_cache({}, "amd64"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(LdCache, SharesStringTailsAsLdconfigDoes) {
  std::vector<LdCacheEntry> in = {{"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", 0x303, 0}};
  std::string bytes = write_ld_cache(in, "amd64");
  // One string: the key is the path's tail.
  std::string table = "/lib/x86_64-linux-gnu/libc.so.6";
  table += '\0';
  EXPECT_EQ(bytes.substr(48 + 24, table.size()), table);
  EXPECT_EQ(static_cast<unsigned char>(bytes[24]), table.size());
}

TEST(LdCache, RefusesMalformedAndTruncatedCaches) {
  std::string good = write_ld_cache(amd64_entries(), "amd64");
  ASSERT_TRUE(parse_ld_cache(good).ok());
  // Every prefix that cuts the header, an entry or a string is an error.
  size_t strings_end = 48 + 24 * amd64_entries().size() + static_cast<unsigned char>(good[24]);
  for (size_t n = 0; n < strings_end; ++n)
    EXPECT_FALSE(parse_ld_cache(std::string_view(good).substr(0, n)).ok()) << n;
  EXPECT_FALSE(parse_ld_cache(std::string_view(good).substr(0, good.size() - 1)).ok());

  auto corrupt = [&](size_t at, char value) {
    std::string bad = good;
    bad[at] = value;
    return parse_ld_cache(bad).ok();
  };
  EXPECT_FALSE(corrupt(0, 'X'));              // magic
  EXPECT_FALSE(corrupt(23, '\x7f'));          // nlibs
  EXPECT_FALSE(corrupt(28, '\x01'));          // byte order: "invalid"
  EXPECT_FALSE(corrupt(48 + 4 + 3, '\x7f'));  // first key offset
  EXPECT_FALSE(corrupt(48 + 8 + 3, '\x10'));  // first path offset
  EXPECT_FALSE(corrupt(32, '\x01'));          // extension offset misaligned
  size_t extension_at = static_cast<unsigned char>(good[32]) |
                        static_cast<size_t>(static_cast<unsigned char>(good[33])) << 8;
  EXPECT_FALSE(corrupt(extension_at, '\x00'));      // extension magic
  EXPECT_FALSE(corrupt(extension_at + 4, '\x7f'));  // extension count
  EXPECT_FALSE(parse_ld_cache(std::string("ld.so-1.7.0") + std::string(64, '\0')).ok());
  // An unterminated last string.
  std::string cut = good;
  cut.resize(strings_end - 1);
  EXPECT_FALSE(parse_ld_cache(cut).ok());
}

}  // namespace
}  // namespace distill::effects
