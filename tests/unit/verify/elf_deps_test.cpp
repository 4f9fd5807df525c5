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

// --- bundled runtimes: $ORIGIN, RPATH inheritance, JVM homes, optional plugins ---

std::string obj(std::string soname, std::vector<std::string> needed, std::string runpath = {},
                std::string rpath = {}) {
  ElfSpec s;
  s.soname = std::move(soname);
  s.needed = std::move(needed);
  s.runpath = std::move(runpath);
  s.rpath = std::move(rpath);
  return build_elf(s);
}

std::string runtime_program(std::vector<std::string> needed, std::string runpath = {},
                            std::string rpath = {}) {
  ElfSpec s;
  s.type = kElfTypeExec;
  s.interpreter = "/lib64/ld-linux-x86-64.so.2";
  s.needed = std::move(needed);
  s.runpath = std::move(runpath);
  s.rpath = std::move(rpath);
  return build_elf(s);
}

void add_dirs(std::vector<image::FileEntry>& files, std::vector<std::string> dirs) {
  for (auto& d : dirs) files.push_back(dir(std::move(d)));
}

// The libraries' (binary, library) pairs, for compact expectations.
std::vector<std::pair<std::string, std::string>> missing_of(const std::vector<ElfFinding>& fs) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : fs) out.emplace_back(f.binary, f.library);
  return out;
}

TEST(ElfDepsTest, OriginInALibraryIsThatLibrarysFolder) {
  auto files = base_files();
  add_dirs(files, {"opt", "opt/a", "opt/a/bin", "opt/a/lib", "opt/a/lib/private"});
  files.push_back(
      file("opt/a/bin/tool", runtime_program({"liba.so.1", "libc.so.6"}, "$ORIGIN/../lib")));
  files.push_back(file("opt/a/lib/liba.so.1",
                       obj("liba.so.1", {"libb.so.1", "libc.so.6"}, "${ORIGIN}/private"), 0644));
  files.push_back(file("opt/a/lib/private/libb.so.1", obj("libb.so.1", {"libc.so.6"}), 0644));
  EXPECT_THAT(check_elf_dependencies(view_of(files)), IsEmpty());
  // $ORIGIN of liba is opt/a/lib, not the program's folder: with the tool's
  // folder the library would not be found.
  files[files.size() - 2] =
      file("opt/a/lib/liba.so.1", obj("liba.so.1", {"libb.so.1"}, "$ORIGIN/../bin/private"), 0644);
  auto findings = check_elf_dependencies(view_of(files));
  EXPECT_THAT(missing_of(findings),
              ElementsAre(std::pair<std::string, std::string>{"opt/a/lib/liba.so.1", "libb.so.1"}));
  EXPECT_FALSE(findings[0].optional);
  EXPECT_STREQ(findings[0].rule_id(), kElfDepsRule);
}

TEST(ElfDepsTest, LibAndPlatformExpandForTheObjectsMachine) {
  auto files = base_files();
  add_dirs(files, {"opt", "opt/lib", "opt/lib/x86_64-linux-gnu", "opt/x86_64"});
  files.push_back(file("opt/lib/x86_64-linux-gnu/libm1.so.1", obj("libm1.so.1", {}), 0644));
  files.push_back(file("opt/x86_64/libp1.so.1", obj("libp1.so.1", {}), 0644));
  files.push_back(file(
      "app/tool", runtime_program({"libm1.so.1", "libp1.so.1"}, "/opt/$LIB:/opt/${PLATFORM}")));
  EXPECT_THAT(check_elf_dependencies(view_of(std::move(files))), IsEmpty());
}

TEST(ElfDepsTest, RpathIsInheritedFromLoadersRunpathIsNot) {
  auto base = base_files();
  add_dirs(base, {"opt", "opt/a", "opt/a/bin", "opt/a/lib"});
  base.push_back(file("opt/a/lib/libb.so.1", obj("libb.so.1", {}), 0644));
  auto with = [&](std::string tool, std::string liba) {
    auto files = base;
    files.push_back(file("opt/a/bin/tool", std::move(tool)));
    files.push_back(file("opt/a/lib/liba.so.1", std::move(liba), 0644));
    return missing_of(check_elf_dependencies(view_of(std::move(files))));
  };
  using P = std::pair<std::string, std::string>;
  // The program's RPATH serves liba's own DT_NEEDED too (liba has no RUNPATH).
  EXPECT_THAT(
      with(runtime_program({"liba.so.1"}, {}, "$ORIGIN/../lib"), obj("liba.so.1", {"libb.so.1"})),
      IsEmpty());
  // A RUNPATH applies to the program's own DT_NEEDED only.
  EXPECT_THAT(
      with(runtime_program({"liba.so.1"}, "$ORIGIN/../lib"), obj("liba.so.1", {"libb.so.1"})),
      ElementsAre(P{"opt/a/lib/liba.so.1", "libb.so.1"}));
  // A library with a RUNPATH of its own does not search its loaders' RPATH.
  EXPECT_THAT(with(runtime_program({"liba.so.1"}, {}, "$ORIGIN/../lib"),
                   obj("liba.so.1", {"libb.so.1"}, "/nowhere")),
              ElementsAre(P{"opt/a/lib/liba.so.1", "libb.so.1"}));
  // An object with both has its RPATH ignored, as glibc does.
  EXPECT_THAT(
      with(runtime_program({"liba.so.1"}, "/nowhere", "$ORIGIN/../lib"), obj("liba.so.1", {})),
      ElementsAre(P{"opt/a/bin/tool", "liba.so.1"}));
}

TEST(ElfDepsTest, AlreadyLoadedSonameSatisfiesANeed) {
  auto files = base_files();
  add_dirs(files, {"opt", "opt/a", "opt/a/lib"});
  // The program loads opt/a/lib/liba.so.1 through its RUNPATH; libb's need of
  // liba.so.1 is then met by the loaded object, as ld.so matches sonames first.
  files.push_back(file("opt/a/lib/liba.so.1", obj("liba.so.1", {}), 0644));
  files.push_back(
      file("usr/lib/x86_64-linux-gnu/libb.so.1", obj("libb.so.1", {"liba.so.1"}), 0644));
  files.push_back(file("app/tool", runtime_program({"liba.so.1", "libb.so.1"}, "/opt/a/lib")));
  EXPECT_THAT(check_elf_dependencies(view_of(std::move(files))), IsEmpty());
}

// A JVM home as Debian's openjdk-17 lays it out (readelf -d on the real files).
std::vector<image::FileEntry> jvm_files(const std::string& home) {
  auto files = base_files();
  files.push_back(file("usr/lib/x86_64-linux-gnu/libz.so.1", obj("libz.so.1", {}), 0644));
  for (const char* d : {"", "/bin", "/lib", "/lib/server"}) files.push_back(dir(home + d));
  files.push_back(file(home + "/bin/java", runtime_program({"libz.so.1", "libjli.so", "libc.so.6"},
                                                           {}, "$ORIGIN:$ORIGIN/../lib")));
  files.push_back(file(home + "/lib/libjli.so", obj("libjli.so", {"libz.so.1"}, {}, "$ORIGIN")));
  files.push_back(
      file(home + "/lib/libjava.so", obj("libjava.so", {"libjvm.so"}, {}, "$ORIGIN"), 0644));
  files.push_back(file(home + "/lib/libnet.so",
                       obj("libnet.so", {"libjvm.so", "libjava.so"}, {}, "$ORIGIN"), 0644));
  files.push_back(file(home + "/lib/server/libjvm.so", obj("libjvm.so", {"libc.so.6"}), 0644));
  return files;
}

TEST(ElfDepsTest, JvmLibrariesFindTheJvmsLibjvm) {
  EXPECT_THAT(check_elf_dependencies(view_of(jvm_files("usr/lib/jvm/java-17-openjdk-amd64"))),
              IsEmpty());
  // A jlink image under /opt, RUNPATH instead of RPATH (Temurin's build).
  auto files = jvm_files("opt/jre");
  files.insert(files.begin(), dir("opt"));
  files.push_back(
      file("opt/jre/lib/libzip.so", obj("libzip.so", {"libjvm.so", "libz.so.1"}, "$ORIGIN"), 0644));
  EXPECT_THAT(check_elf_dependencies(view_of(files)), IsEmpty());
  // Outside a JVM home nothing loads libjvm.so first.
  add_dirs(files, {"opt/jni"});
  files.push_back(file("opt/jni/libjni.so", obj("libjni.so", {"libjvm.so"}), 0644));
  auto findings = check_elf_dependencies(view_of(files));
  EXPECT_THAT(missing_of(findings),
              ElementsAre(std::pair<std::string, std::string>{"opt/jni/libjni.so", "libjvm.so"}));
  EXPECT_FALSE(findings[0].optional);
}

TEST(ElfDepsTest, PluginsMissingDesktopSoundOrPrintLibrariesAreOptional) {
  const std::string home = "usr/lib/jvm/java-17-openjdk-amd64";
  auto files = jvm_files(home);
  files.push_back(file(
      home + "/lib/libjsound.so",
      obj("libjsound.so", {"libjava.so", "libjvm.so", "libasound.so.2"}, {}, "$ORIGIN"), 0644));
  files.push_back(file(
      home + "/lib/libawt_xawt.so",
      obj("libawt_xawt.so", {"libX11.so.6", "libXext.so.6", "libjvm.so"}, {}, "$ORIGIN"), 0644));
  auto findings = check_elf_dependencies(view_of(files));
  ASSERT_EQ(findings.size(), 3u);
  for (const auto& f : findings) {
    EXPECT_TRUE(f.optional) << f.binary << " " << f.library;
    EXPECT_FALSE(f.fatal());
    EXPECT_STREQ(f.rule_id(), kElfOptionalRule);
  }
  EXPECT_EQ(findings[0].binary, home + "/lib/libawt_xawt.so");
  EXPECT_EQ(findings[0].library, "libX11.so.6");
  EXPECT_EQ(findings[2].binary, home + "/lib/libjsound.so");
  EXPECT_EQ(findings[2].library, "libasound.so.2");
  EXPECT_THAT(findings[2].hint(), HasSubstr("optional: no program in the image loads this plugin"));

  // A plugin's missing library outside the documented set stays fatal.
  auto other = files;
  other.push_back(
      file(home + "/lib/libfoo.so", obj("libfoo.so", {"libbar.so.1"}, {}, "$ORIGIN"), 0644));
  auto f2 = check_elf_dependencies(view_of(other));
  auto bar = std::find_if(f2.begin(), f2.end(),
                          [](const ElfFinding& f) { return f.library == "libbar.so.1"; });
  ASSERT_NE(bar, f2.end());
  EXPECT_TRUE(bar->fatal());

  // A program that loads the plugin through DT_NEEDED makes its gaps fatal:
  // libasound, and libjvm.so, which no JVM has loaded in that process.
  files.push_back(file("app/player", runtime_program({"libjsound.so"}, "/" + home + "/lib")));
  auto f3 = check_elf_dependencies(view_of(files));
  std::vector<std::pair<std::string, std::string>> fatal;
  for (const auto& f : f3) {
    if (f.fatal()) fatal.emplace_back(f.binary, f.library);
    EXPECT_EQ(f.optional, f.binary == home + "/lib/libawt_xawt.so") << f.binary << " " << f.library;
  }
  using P = std::pair<std::string, std::string>;
  EXPECT_THAT(fatal, ElementsAre(P{home + "/lib/libjava.so", "libjvm.so"},
                                 P{home + "/lib/libjsound.so", "libjvm.so"},
                                 P{home + "/lib/libjsound.so", "libasound.so.2"}));
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
