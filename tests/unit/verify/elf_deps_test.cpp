#include "verify/elf_deps.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/verify/elf_builder.hpp"
#include "verify/elf_file.hpp"

namespace distill::verify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using verify::test_util::build_elf;
using verify::test_util::ElfSpec;

image::FileEntry file(std::string path, std::string content, uint32_t mode = 0755) {
  image::FileEntry e;
  e.path = std::move(path);
  e.type = image::FileType::kRegular;
  e.mode = mode;
  e.size = static_cast<int64_t>(content.size());
  e.content = std::move(content);
  return e;
}

image::FileEntry symlink(std::string path, std::string target) {
  image::FileEntry e;
  e.path = std::move(path);
  e.type = image::FileType::kSymlink;
  e.link_target = std::move(target);
  return e;
}

image::FileEntry dir(std::string path) {
  image::FileEntry e;
  e.path = std::move(path);
  e.type = image::FileType::kDirectory;
  return e;
}

std::string lib(std::string soname, std::vector<std::string> defs = {}) {
  ElfSpec s;
  s.soname = std::move(soname);
  s.version_defs = std::move(defs);
  return build_elf(s);
}

std::string app(std::vector<std::string> needed,
                std::vector<std::pair<std::string, std::vector<std::string>>> versions = {},
                std::string runpath = {}) {
  ElfSpec s;
  s.type = kElfTypeExec;
  s.interpreter = "/lib64/ld-linux-x86-64.so.2";
  s.needed = std::move(needed);
  s.version_needs = std::move(versions);
  s.runpath = std::move(runpath);
  return build_elf(s);
}

// A merged-/usr base with a loader and a libc defining GLIBC_2.2.5..GLIBC_2.36.
std::vector<image::FileEntry> base_files() {
  return {dir("usr"),
          dir("usr/lib"),
          dir("usr/lib/x86_64-linux-gnu"),
          dir("usr/lib64"),
          symlink("lib", "usr/lib"),
          symlink("lib64", "usr/lib64"),
          file("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", lib("ld-linux-x86-64.so.2")),
          symlink("usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
          file("usr/lib/x86_64-linux-gnu/libc.so.6",
               lib("libc.so.6", {"GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_2.36"}))};
}

image::RootfsView view_of(std::vector<image::FileEntry> files) {
  image::RootfsView v;
  EXPECT_TRUE(v.apply_layer(std::move(files)).ok());
  return v;
}

TEST(ElfDepsTest, ResolvesThroughMultiarchAndSymlinks) {
  auto files = base_files();
  files.push_back(file("app/server", app({"libc.so.6"}, {{"libc.so.6", {"GLIBC_2.34"}}})));
  EXPECT_THAT(check_elf_dependencies(view_of(std::move(files))), IsEmpty());
}

TEST(ElfDepsTest, MissingLibraryNamesPackage) {
  auto files = base_files();
  files.push_back(file("app/server", app({"libstdc++.so.6", "libc.so.6"})));
  auto findings = check_elf_dependencies(view_of(std::move(files)));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].binary, "app/server");
  EXPECT_EQ(findings[0].problem, ElfProblem::kMissingLibrary);
  EXPECT_EQ(findings[0].library, "libstdc++.so.6");
  EXPECT_EQ(findings[0].package, "libstdc++6");
  EXPECT_EQ(findings[0].message(), "needs libstdc++.so.6, which is not in the image");
  EXPECT_EQ(findings[0].hint(), "add `packages: [libstdc++6]`");
}

TEST(ElfDepsTest, MissingVersionNamesVersionAndLibrary) {
  auto files = base_files();
  files.push_back(
      file("app/server", app({"libc.so.6"}, {{"libc.so.6", {"GLIBC_2.34", "GLIBC_2.99"}}})));
  auto findings = check_elf_dependencies(view_of(std::move(files)));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].problem, ElfProblem::kMissingVersion);
  EXPECT_EQ(findings[0].version, "GLIBC_2.99");
  EXPECT_EQ(findings[0].found_at, "usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_THAT(findings[0].message(), HasSubstr("needs version GLIBC_2.99 of libc.so.6"));
}

TEST(ElfDepsTest, MissingInterpreter) {
  std::vector<image::FileEntry> files = {file("app/server", app({}))};
  auto findings = check_elf_dependencies(view_of(std::move(files)));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].problem, ElfProblem::kMissingInterpreter);
  EXPECT_EQ(findings[0].package, "libc6");
  EXPECT_THAT(findings[0].message(), HasSubstr("/lib64/ld-linux-x86-64.so.2"));
}

TEST(ElfDepsTest, OriginRunpathFindsPrivateLibrary) {
  auto files = base_files();
  files.push_back(dir("opt"));
  files.push_back(dir("opt/app"));
  files.push_back(dir("opt/app/bin"));
  files.push_back(dir("opt/app/lib"));
  files.push_back(file("opt/app/bin/tool", app({"libprivate.so.1"}, {}, "$ORIGIN/../lib")));
  files.push_back(file("opt/app/lib/libprivate.so.1", lib("libprivate.so.1"), 0644));
  EXPECT_THAT(check_elf_dependencies(view_of(files)), IsEmpty());
  // Without the RUNPATH the loader would not look there.
  files[files.size() - 2] = file("opt/app/bin/tool", app({"libprivate.so.1"}));
  auto findings = check_elf_dependencies(view_of(files));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].library, "libprivate.so.1");
  EXPECT_FALSE(findings[0].package);
  EXPECT_EQ(findings[0].hint(), "");
}

TEST(ElfDepsTest, SkipsLibrariesOfAnotherMachine) {
  auto files = base_files();
  ElfSpec arm;
  arm.machine = 183;
  arm.soname = "libfoo.so.1";
  files.push_back(file("usr/lib/x86_64-linux-gnu/libfoo.so.1", build_elf(arm), 0644));
  files.push_back(file("app/server", app({"libfoo.so.1"})));
  auto findings = check_elf_dependencies(view_of(std::move(files)));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].library, "libfoo.so.1");
}

TEST(ElfDepsTest, SelectLimitsCheckedFilesAndMalformedIsReported) {
  auto files = base_files();
  files.push_back(file("app/broken", std::string("\x7f"
                                                 "ELF\x02\x01",
                                                 6)));
  files.push_back(file("app/other", app({"libmissing.so.1"})));
  ElfCheckOptions opts;
  opts.select = [](std::string_view p) { return p == "app/broken"; };
  auto findings = check_elf_dependencies(view_of(std::move(files)), opts);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].problem, ElfProblem::kMalformed);
  EXPECT_THAT(findings[0].message(), HasSubstr("not a readable ELF file"));
}

TEST(ElfDepsTest, LookupFromIndicesComesFirst) {
  auto files = base_files();
  files.push_back(file("app/server", app({"libpq.so.5", "libfoo-2.1.so.0"})));
  ElfCheckOptions opts;
  opts.lookup = lookup_in([](std::string_view p) { return p == "libfoo-2.1-0" || p == "libpq5"; });
  auto findings = check_elf_dependencies(view_of(std::move(files)), opts);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].package, "libpq5");
  EXPECT_EQ(findings[1].package, "libfoo-2.1-0");
}

TEST(ElfDepsTest, PackageGuesses) {
  EXPECT_THAT(package_guesses("libstdc++.so.6"), ElementsAre("libstdc++6"));
  EXPECT_THAT(package_guesses("libgcc_s.so.1"), ElementsAre("libgcc-s1"));
  EXPECT_THAT(package_guesses("libfoo.so.5"), ElementsAre("libfoo5"));
  EXPECT_THAT(package_guesses("libfoo2.so.0"), ElementsAre("libfoo2-0"));
  EXPECT_THAT(package_guesses("noversion.so"), IsEmpty());
  EXPECT_EQ(well_known_package("libz.so.1"), "zlib1g");
  EXPECT_EQ(well_known_package("libssl.so.3"), "libssl3");
}

TEST(ElfDepsTest, CandidatesAreExecutablesAndSharedObjects) {
  EXPECT_TRUE(is_elf_candidate(file("usr/bin/x", "", 0755)));
  EXPECT_TRUE(is_elf_candidate(file("usr/lib/libz.so.1.2.13", "", 0644)));
  EXPECT_TRUE(is_elf_candidate(file("usr/lib/libz.so", "", 0644)));
  EXPECT_FALSE(is_elf_candidate(file("usr/share/doc/x.sour", "", 0644)));
  EXPECT_FALSE(is_elf_candidate(file("etc/passwd", "", 0644)));
  EXPECT_FALSE(is_elf_candidate(symlink("usr/lib/libz.so", "libz.so.1")));
}

}  // namespace
}  // namespace distill::verify
