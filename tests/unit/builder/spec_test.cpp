#include "builder/spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/file_util.hpp"
#include "core/suggest.hpp"
#include "core/temp_dir.hpp"

using namespace distill;
using ::testing::HasSubstr;

namespace {

core::Result<builder::Spec> parse(const std::string& yaml, const std::string& dir = "/") {
  return builder::parse_spec(yaml, "distill.yaml", dir);
}

std::string error_of(const std::string& yaml, const std::string& dir = "/") {
  auto r = parse(yaml, dir);
  return r.ok() ? "<ok>" : r.error().message();
}

}  // namespace

TEST(Spec, DefaultsWhenEmptyMap) {
  auto s = parse("{}");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->distro, "debian12");
  EXPECT_EQ(s->base, "base");
  EXPECT_EQ(s->user.uid, 65532u);
  EXPECT_TRUE(s->archs.empty());
}

TEST(Spec, FullSpec) {
  auto dir = core::TempDir::create();
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(core::make_dirs(dir->path() + "/app").ok());
  ASSERT_TRUE(core::write_file_atomic(dir->path() + "/extra.pem", "x").ok());
  auto s = parse(R"(
distro: debian13
archs: [amd64, arm64]
base: python3
packages: [iputils-ping]
exclude: [libfoo]
debug: false
files:
  - {src: app/, dst: /app, mode: "0644", uid: 65532, gid: 65532}
ca_certificates: [extra.pem]
user: "1000:1001"
workdir: /app
entrypoint: [/usr/bin/python3, /app/main.py]
cmd: []
env: {PYTHONUNBUFFERED: "1"}
ports: [8080, "53/udp"]
labels: {a: b}
annotations: {org.opencontainers.image.source: "https://example.invalid/x"}
)",
                 dir->path());
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->distro, "debian13");
  EXPECT_EQ(s->archs, (std::vector<std::string>{"amd64", "arm64"}));
  ASSERT_EQ(s->files.size(), 1u);
  EXPECT_EQ(*s->files[0].mode, 0644u);
  EXPECT_EQ(s->files[0].uid, 65532u);
  EXPECT_EQ(s->files[0].src_path, dir->path() + "/app/");
  EXPECT_EQ(s->user.uid, 1000u);
  EXPECT_EQ(s->user.gid, 1001u);
  EXPECT_EQ(s->ports, (std::vector<std::string>{"8080/tcp", "53/udp"}));
  EXPECT_EQ(s->env.at("PYTHONUNBUFFERED"), "1");
  EXPECT_EQ(s->ca_certificates[0], dir->path() + "/extra.pem");
}

TEST(Spec, UnknownKeyHasLineAndSuggestion) {
  EXPECT_EQ(error_of("distro: debian12\npakages: [curl]\n"),
            "distill.yaml:2: unknown key 'pakages' in the spec (did you mean 'packages'?)");
}

TEST(Spec, WrongTypes) {
  EXPECT_EQ(error_of("archs: amd64\n"),
            "distill.yaml:1: 'archs' must be a list of strings (got a scalar)");
  EXPECT_EQ(error_of("\nenv: [a]\n"),
            "distill.yaml:2: 'env' must be a map of strings (got a list)");
  EXPECT_EQ(error_of("debug: maybe\n"),
            "distill.yaml:1: 'debug' must be true or false (got 'maybe')");
  EXPECT_EQ(error_of("ports: [0]\n"),
            "distill.yaml:1: port '0' must be 1-65535, optionally /tcp, /udp or /sctp");
}

TEST(Spec, ElfCheckIgnoreEntries) {
  auto s = parse(
      "elf_check:\n  ignore: [DISTILL-0011, /opt/jre/lib/libawt_xawt.so, "
      "\"DISTILL-0006:/opt/app/\"]\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  ASSERT_EQ(s->elf_check.ignore.size(), 3u);
  EXPECT_EQ(s->elf_check.ignore[0].id, "DISTILL-0011");
  EXPECT_EQ(s->elf_check.ignore[1].path, "/opt/jre/lib/libawt_xawt.so");
  EXPECT_EQ(s->elf_check.ignore[2].id, "DISTILL-0006");
  EXPECT_EQ(s->elf_check.ignore[2].path, "/opt/app/");
  EXPECT_TRUE(parse("elf_check: {}\n").ok());
  EXPECT_EQ(error_of("elf_check:\n  ignore:\n    - DISTILL-0006\n    - DISTILL-0666\n"),
            "distill.yaml:4: 'elf_check.ignore' item 'DISTILL-0666' no such check: DISTILL-0666 "
            "(docs/lint.md lists the check ids)");
  EXPECT_EQ(error_of("\nelf_check:\n  ignore: [opt/x]\n"),
            "distill.yaml:3: 'elf_check.ignore' item 'opt/x' is neither ID, /path nor ID:/path "
            "(a path starts with '/')");
  EXPECT_EQ(error_of("elf_check: [x]\n"), "distill.yaml:1: 'elf_check' must be a map (got a list)");
  EXPECT_EQ(error_of("elf_check:\n  ignor: [x]\n"),
            "distill.yaml:2: unknown key 'ignor' in elf_check (did you mean 'ignore'?)");
}

TEST(Spec, Layering) {
  auto d = parse("{}");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->layering.strategy, builder::LayeringStrategy::kOrigin);
  EXPECT_EQ(d->layering.max_layers, 10u);
  auto s = parse("layering: {strategy: single, max_layers: 3}\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->layering.strategy, builder::LayeringStrategy::kSingle);
  EXPECT_EQ(s->layering.max_layers, 3u);
  EXPECT_THAT(error_of("layering: {strategy: orign}\n"), HasSubstr("did you mean 'origin'"));
  EXPECT_THAT(error_of("layering:\n  max_layers: 0\n"),
              HasSubstr("distill.yaml:2: 'layering.max_layers' must be at least 1"));
  EXPECT_THAT(error_of("layering: {max_layers: 101}\n"), HasSubstr("up to 100"));
  EXPECT_THAT(error_of("layering: {layers: 2}\n"), HasSubstr("unknown key 'layers' in layering"));
}

TEST(Spec, BadEnumsSuggest) {
  EXPECT_EQ(
      error_of("base: pyhton3\n"),
      "distill.yaml:1: 'base' must be one of static, base-nossl, base, cc, python3, nodejs, java "
      "(got 'pyhton3') (did you mean 'python3'?)");
  EXPECT_NE(error_of("distro: debian11\n").find("'distro' must be one of"), std::string::npos);
}

TEST(Spec, ArchAliasesSuggestDebianNames) {
  EXPECT_EQ(error_of("archs: [amd64,\n  x86_64]\n"),
            "distill.yaml:2: archs: 'x86_64' is not a Debian architecture (one of amd64, arm64, "
            "armhf, i386, ppc64el, s390x) (did you mean 'amd64'? distill uses Debian's names)");
  EXPECT_NE(error_of("archs: [aarch64]\n").find("did you mean 'arm64'?"), std::string::npos);
  EXPECT_NE(error_of("archs: [armd64]\n").find("did you mean 'amd64'?"), std::string::npos);
  EXPECT_NE(error_of("archs: [sparc]\n").find("(distill uses Debian's architecture names)"),
            std::string::npos);
  auto flag = distill::builder::check_arch_name("command line", "--arch", "ppc64le");
  ASSERT_FALSE(flag.ok());
  EXPECT_NE(flag.error().message().find("command line: --arch: 'ppc64le'"), std::string::npos);
  EXPECT_NE(flag.error().message().find("did you mean 'ppc64el'?"), std::string::npos);
}

TEST(Spec, MissingSourceFile) {
  std::string e = error_of("files:\n  - {src: nope/, dst: /app}\n", "/nonexistent-dir");
  EXPECT_EQ(e.rfind("distill.yaml:2: 'files[0].src' does not exist", 0), 0u) << e;
}

TEST(Spec, UnsafeDestination) {
  auto dir = core::TempDir::create();
  ASSERT_TRUE(dir.ok());
  std::string e = error_of("files:\n  - {src: ., dst: /app/../../etc}\n", dir->path());
  EXPECT_NE(e.find("must be an absolute path without '..'"), std::string::npos) << e;
  e = error_of("files:\n  - {src: ., dst: relative}\n", dir->path());
  EXPECT_NE(e.find("must be an absolute path"), std::string::npos) << e;
}

TEST(Spec, UnknownFileKey) {
  auto dir = core::TempDir::create();
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(error_of("files:\n  - {src: ., dst: /a, mdoe: '0644'}\n", dir->path()),
            "distill.yaml:2: unknown key 'mdoe' in files[0] (did you mean 'mode'?)");
}

TEST(Spec, InvalidYaml) {
  std::string e = error_of("a: [1, 2\n");
  EXPECT_EQ(e.rfind("distill.yaml:", 0), 0u);
  EXPECT_NE(e.find("valid YAML"), std::string::npos) << e;
}

TEST(Spec, Users) {
  EXPECT_EQ(builder::parse_user("root")->uid, 0u);
  EXPECT_EQ(builder::parse_user("nobody")->gid, 65534u);
  EXPECT_EQ(builder::parse_user("42")->gid, 42u);
  EXPECT_FALSE(builder::parse_user("alice").ok());
  EXPECT_FALSE(builder::parse_user("1:").ok());
}

TEST(Suggest, ClosestMatch) {
  EXPECT_EQ(core::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(core::closest_match("pakages", {"packages", "exclude"}), "packages");
  EXPECT_EQ(core::closest_match("zzzzzz", {"packages", "exclude"}), "");
}
