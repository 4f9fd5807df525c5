#include "sbom/lang_inventory.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <set>

#include "core/strings.hpp"
#include "sbom/go_buildinfo.hpp"
#include "sbom/inventory.hpp"
#include "sbom/jar_packages.hpp"
#include "sbom/npm_packages.hpp"
#include "sbom/purl.hpp"
#include "sbom/python_dist.hpp"
#include "unit/image/image_test_util.hpp"

using namespace distill;
using namespace distill::sbom;
using namespace distill::image::test_util;

namespace {

std::string go_uvarint_bytes(size_t n) {
  std::string out;
  while (n >= 0x80) {
    out += static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  out += static_cast<char>(n);
  return out;
}

// A Go 1.18+ inline build information block, as the linker writes it.
std::string go_block(const std::string& version, const std::string& modinfo) {
  std::string block = std::string("\xff Go buildinf:", 14) + '\x08' + '\x02';
  block.resize(32, '\0');
  std::string framed = std::string(16, 'S') + modinfo + std::string(16, 'E');
  block += go_uvarint_bytes(version.size()) + version;
  block += go_uvarint_bytes(framed.size()) + framed;
  return block;
}

constexpr const char* kModinfo =
    "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n"
    "dep\tgolang.org/x/text\tv0.3.7\th1:abc=\n"
    "dep\texample.com/old\tv1.0.0\th1:def=\n=>\texample.com/new\tv1.1.0\th1:ghi=\n"
    "dep\texample.com/local\tv1.0.0\n=>\t../local\t\t\n"
    "build\t-compiler=gc\n";

// An ELF-looking file with the block at a 16-byte aligned offset, after a
// decoy magic (the go command's own string constant) at another one.
std::string go_binary() {
  std::string bin =
      "\x7f"
      "ELF";
  bin.resize(4096, 'x');
  bin += std::string("\xff Go buildinf:", 14) + "junkjunkjunkjunkjunkjunkjunk";
  bin.resize(8192, '\0');
  bin += go_block("go1.19.8", kModinfo);
  bin.resize(12288, '\0');
  return bin;
}

TEST(GoBuildInfo, DecodesModulesReplacementsAndStdlib) {
  auto info = decode_go_buildinfo(go_block("go1.19.8", kModinfo));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->first, "go1.19.8");
  auto packages = go_packages(info->first, info->second);
  ASSERT_EQ(packages.size(), 5u);
  EXPECT_EQ(packages[0].name, "example.com/app");
  EXPECT_EQ(packages[0].version, "(devel)");
  EXPECT_EQ(packages[1].name, "golang.org/x/text");
  EXPECT_EQ(packages[2].name, "example.com/new");  // replaced
  EXPECT_EQ(packages[2].version, "v1.1.0");
  EXPECT_EQ(packages[3].name, "example.com/local");  // a local replacement keeps the original
  EXPECT_EQ(packages[4].name, "stdlib");
  EXPECT_EQ(lang_purl(packages[4]), "pkg:golang/stdlib@go1.19.8");
  EXPECT_EQ(lang_purl(packages[1]), "pkg:golang/golang.org/x/text@v0.3.7");
}

TEST(GoBuildInfo, ScannerFindsTheBlockWhateverTheChunking) {
  std::string bin = go_binary();
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{16}, size_t{4096}, bin.size()}) {
    GoBuildInfoScanner scanner;
    for (size_t at = 0; at < bin.size(); at += chunk)
      scanner.feed(std::string_view(bin).substr(at, chunk));
    ASSERT_TRUE(scanner.found()) << "chunk " << chunk;
    EXPECT_EQ(scanner.found()->first, "go1.19.8");
  }
}

TEST(GoBuildInfo, RefusesTruncatedAndForeignBlocks) {
  std::string block = go_block("go1.21.0", kModinfo);
  EXPECT_FALSE(decode_go_buildinfo(block.substr(0, 40)));
  std::string pointer_format = block;
  pointer_format[15] = 0;  // Go before 1.18
  EXPECT_FALSE(decode_go_buildinfo(pointer_format));
  GoBuildInfoScanner not_elf;
  not_elf.feed("#!/bin/sh\n" + block);
  EXPECT_TRUE(not_elf.done());
  EXPECT_FALSE(not_elf.found());
  // A length running past the end.
  std::string cut = block.substr(0, 32) + "\xff\xff\xff\x7f";
  EXPECT_FALSE(decode_go_buildinfo(cut));
}

TEST(PythonMetadata, ReadsNameVersionAndLicense) {
  auto p = parse_python_metadata(
      "Metadata-Version: 2.1\r\nName: Foo_Bar\r\nVersion: 2.0.1\r\nLicense: MIT\r\n\r\n"
      "Name: not-this\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "Foo_Bar");
  EXPECT_EQ(p->version, "2.0.1");
  EXPECT_EQ(p->license, "MIT");
  EXPECT_EQ(lang_purl(*p), "pkg:pypi/foo-bar@2.0.1");
  auto expr = parse_python_metadata(
      "Name: x\nVersion: 1\nLicense: long text\n  continues here\nLicense-Expression: "
      "Apache-2.0\n");
  ASSERT_TRUE(expr);
  EXPECT_EQ(expr->license, "Apache-2.0");
  auto text_only = parse_python_metadata("Name: x\nVersion: 1\nLicense: long text\n  more\n");
  ASSERT_TRUE(text_only);
  EXPECT_EQ(text_only->license, "");
  EXPECT_FALSE(parse_python_metadata("Name: x\n"));
  EXPECT_TRUE(is_python_metadata_file("app/deps/foo-1.0.dist-info/METADATA"));
  EXPECT_TRUE(is_python_metadata_file("usr/lib/python3/dist-packages/six.egg-info/PKG-INFO"));
  EXPECT_FALSE(is_python_metadata_file("app/METADATA"));
  EXPECT_EQ(python_record_path("a/x.dist-info/METADATA"), "a/x.dist-info/RECORD");
}

TEST(NpmPackages, LockfileVersions) {
  auto v3 = parse_npm_lockfile(R"({"lockfileVersion": 3, "packages": {
      "": {"name": "app", "version": "1.0.0"},
      "node_modules/a": {"version": "1.2.3", "license": "MIT"},
      "node_modules/@s/b": {"version": "2.0.0-rc.1"},
      "node_modules/a/node_modules/c": {"version": "0.1.0"},
      "node_modules/alias": {"name": "real", "version": "3.0.0"},
      "node_modules/linked": {"link": true, "resolved": "../x"}}})");
  ASSERT_TRUE(v3.ok()) << v3.error().message();
  ASSERT_EQ(v3->size(), 4u);
  std::set<std::string> purls;
  for (const auto& p : *v3) purls.insert(lang_purl(p));
  EXPECT_EQ(purls, (std::set<std::string>{"pkg:npm/a@1.2.3", "pkg:npm/%40s/b@2.0.0-rc.1",
                                          "pkg:npm/c@0.1.0", "pkg:npm/real@3.0.0"}));
  auto v1 = parse_npm_lockfile(R"({"lockfileVersion": 1, "dependencies": {
      "a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0"}}},
      "git": {"version": "git+ssh://example/x.git#abc"}}})");
  ASSERT_TRUE(v1.ok());
  ASSERT_EQ(v1->size(), 2u);
  EXPECT_FALSE(parse_npm_lockfile("[1]").ok());
  auto m =
      parse_npm_manifest(R"({"name": "@s/b", "version": "2.0.0", "license": {"type": "ISC"}})");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->license, "ISC");
}

TEST(NpmPackages, WhichFilesAreRead) {
  EXPECT_TRUE(is_npm_lockfile("app/package-lock.json"));
  EXPECT_TRUE(is_npm_lockfile("app/node_modules/.package-lock.json"));
  EXPECT_FALSE(is_npm_lockfile("app/node_modules/a/package-lock.json"));
  EXPECT_TRUE(is_npm_installed_manifest("app/node_modules/a/package.json"));
  EXPECT_TRUE(is_npm_installed_manifest("node_modules/@s/b/package.json"));
  EXPECT_TRUE(is_npm_installed_manifest("app/node_modules/a/node_modules/c/package.json"));
  EXPECT_FALSE(is_npm_installed_manifest("app/node_modules/a/lib/package.json"));
  EXPECT_FALSE(is_npm_installed_manifest("app/package.json"));
}

la_ssize_t zip_append(archive*, void* ctx, const void* buf, size_t n) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

std::string make_zip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(a, &out, nullptr, zip_append, nullptr);
  for (const auto& [name, data] : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_write_header(a, e);
    archive_write_data(a, data.data(), data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::string pom(const std::string& g, const std::string& a, const std::string& v) {
  return "#Generated by Maven\ngroupId=" + g + "\nartifactId=" + a + "\nversion=" + v + "\n";
}

TEST(JarPackages, PomPropertiesAndNestedJars) {
  std::string inner = make_zip(
      {{"META-INF/maven/org.yaml/snakeyaml/pom.properties", pom("org.yaml", "snakeyaml", "1.33")}});
  std::string outer = make_zip(
      {{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"},
       {"META-INF/maven/com.example/app/pom.properties", pom("com.example", "app", "0.1.0")},
       {"META-INF/maven/too/deep/x/pom.properties", pom("a", "b", "1")},
       {"BOOT-INF/lib/snakeyaml-1.33.jar", inner}});
  auto found = read_jar_memory(outer, false);
  ASSERT_TRUE(found.ok()) << found.error().message();
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].package.name, "com.example:app");
  EXPECT_EQ((*found)[0].inner_path, "");
  EXPECT_EQ((*found)[1].package.name, "org.yaml:snakeyaml");
  EXPECT_EQ((*found)[1].inner_path, "BOOT-INF/lib/snakeyaml-1.33.jar");
  EXPECT_EQ(lang_purl((*found)[1].package), "pkg:maven/org.yaml/snakeyaml@1.33");
  EXPECT_FALSE(read_jar_memory("not a zip", false).ok());
  EXPECT_FALSE(parse_pom_properties("groupId=a\nversion=1\n"));
}

class LangInventoryTest : public TempFolderTest {};

TEST_F(LangInventoryTest, AnImagesLanguagePackagesWithLocations) {
  std::string jar = make_zip(
      {{"META-INF/maven/com.example/app/pom.properties", pom("com.example", "app", "0.1.0")}});
  auto img = image_of(
      dir_->path(),
      {make_tar(
           {file("etc/os-release", "ID=debian\nVERSION_CODENAME=bookworm\n"),
            file("var/lib/dpkg/status.d/python3-six",
                 "Package: python3-six\nVersion: 1.16.0-4\nArchitecture: all\n"),
            file("var/lib/dpkg/status.d/python3-six.md5sums",
                 "d41d8cd98f00b204e9800998ecf8427e  "
                 "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO\n"),
            file("usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO",
                 "Name: six\nVersion: 1.16.0\n"),
            file("app/deps/requests-2.31.0.dist-info/METADATA",
                 "Name: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n"),
            file("app/deps/requests-2.31.0.dist-info/RECORD", "requests/__init__.py,,\n"),
            file("app/package-lock.json",
                 R"({"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0"}}})"),
            file("app/node_modules/a/package.json",
                 R"({"name": "a", "version": "1.0.0", "license": "MIT"})"),
            file("app/bin/server", go_binary(), 0755), file("app/app.jar", jar)}),
       make_tar({file("app/gone.jar", jar), whiteout("app/bin/server")})});
  write_layout(path("img"), {img});
  auto inv = sbom::read_inventory(path("img"), {"", false, nullptr, {}});
  ASSERT_TRUE(inv.ok()) << inv.error().message();
  std::vector<std::string> got;
  for (const auto& p : inv->lang_packages)
    got.push_back(lang_purl(p) + " " + core::join(p.locations, ","));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "pkg:maven/com.example/app@0.1.0 app/app.jar,app/gone.jar",
                     "pkg:pypi/requests@2.31.0 app/deps/requests-2.31.0.dist-info/METADATA,"
                     "app/deps/requests-2.31.0.dist-info/RECORD",
                     "pkg:npm/a@1.0.0 app/node_modules/a/package.json,app/package-lock.json",
                 }));
  // The Go binary was removed by the upper layer; six belongs to python3-six.
  ASSERT_EQ(inv->packages.size(), 1u);
}

TEST_F(LangInventoryTest, GoBinaryInTheImage) {
  auto img = image_of(dir_->path(), {make_tar({file("etc/os-release", "ID=debian\n"),
                                               file("usr/local/bin/app", go_binary(), 0755),
                                               file("usr/local/bin/data", go_binary(), 0644)})});
  write_layout(path("img"), {img});
  auto inv = sbom::read_inventory(path("img"), {"", false, nullptr, {}});
  ASSERT_TRUE(inv.ok()) << inv.error().message();
  ASSERT_EQ(inv->lang_packages.size(), 5u);  // the non-executable copy is not read
  for (const auto& p : inv->lang_packages) {
    EXPECT_EQ(p.ecosystem, "Go");
    EXPECT_EQ(p.locations, (std::vector<std::string>{"usr/local/bin/app"}));
  }
}

}  // namespace
