#include "verify/lint.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "unit/verify/elf_builder.hpp"
#include "verify/elf_file.hpp"

namespace distill::verify {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;
using ::testing::Not;

image::FileEntry entry(std::string path, image::FileType type, uint32_t mode,
                       std::optional<std::string> content = std::nullopt, std::string target = {}) {
  image::FileEntry e;
  e.path = std::move(path);
  e.type = type;
  e.mode = mode;
  e.content = std::move(content);
  e.link_target = std::move(target);
  return e;
}

image::FileEntry reg(std::string path, uint32_t mode, std::string content = "x") {
  return entry(std::move(path), image::FileType::kRegular, mode, std::move(content));
}

using Key = std::tuple<std::string, std::string>;  // id, path

std::set<Key> keys(const std::vector<LintFinding>& findings) {
  std::set<Key> out;
  for (const auto& f : findings) out.insert({f.id, f.path});
  return out;
}

struct Fixture {
  image::RootfsView fs;
  oci::ImageConfig config;
  std::vector<LintFinding> lint(std::vector<std::string> refs = {}) {
    LintInput in;
    in.fs = &fs;
    in.config = &config;
    in.ref_names = std::move(refs);
    return lint_image(in);
  }
};

TEST(LintTest, DistrolessLikeImageIsClean) {
  Fixture f;
  f.config.config.user = "65532:65532";
  f.config.config.entrypoint = {"/usr/bin/python3"};
  ASSERT_TRUE(f.fs.apply_layer({entry("tmp", image::FileType::kDirectory, 01777),
                                reg("etc/passwd", 0644, "root:x:0:0::/root:/sbin/nologin\n"),
                                reg("usr/bin/python3.11", 0755),
                                entry("usr/bin/python3", image::FileType::kSymlink, 0777,
                                      std::nullopt, "python3.11")})
                  .ok());
  EXPECT_THAT(f.lint(), IsEmpty());
}

TEST(LintTest, RegularImageFindings) {
  Fixture f;
  f.config.config.env = {"PATH=/bin", "AWS_SECRET_ACCESS_KEY=abc"};
  ASSERT_TRUE(
      f.fs.apply_layer({reg("bin/sh", 0755), reg("bin/busybox", 0755), reg("usr/bin/apt", 0755),
                        reg("usr/bin/mawk", 0755), reg("usr/bin/newgrp", 02755),
                        entry("data", image::FileType::kDirectory, 0777),
                        entry("dev/null", image::FileType::kCharDevice, 0666),
                        reg("etc/shadow", 0640, "a::1:::\nb:*:1:::\n"),
                        reg("etc/group", 0644, "a:x:5:\nb:x:5:\n"),
                        reg("home/u/.aws/credentials", 0600)})
          .ok());
  auto findings = f.lint();
  auto k = keys(findings);
  for (Key want : std::vector<Key>{{"CIS-DI-0001", ""},
                                   {"CIS-DI-0010", ""},
                                   {"DISTILL-0001", "/bin/sh"},
                                   {"DISTILL-0005", "/bin/busybox"},
                                   {"DISTILL-0002", "/usr/bin/apt"},
                                   {"DISTILL-0003", "/usr/bin/mawk"},
                                   {"CIS-DI-0008", "/usr/bin/newgrp"},
                                   {"DISTILL-0004", "/data"},
                                   {"DISTILL-0007", "/dev/null"},
                                   {"DKL-LI-0001", "/etc/shadow"},
                                   {"DKL-LI-0002", "/etc/group"},
                                   {"CIS-DI-0010", "/home/u/.aws/credentials"}})
    EXPECT_THAT(k, Contains(want)) << std::get<0>(want) << " " << std::get<1>(want);
  EXPECT_EQ(findings.front().level, LintLevel::kFatal);
  EXPECT_EQ(findings.back().level,
            findings.back().id == "DKL-LI-0003" ? LintLevel::kInfo : LintLevel::kWarn);
  for (const auto& finding : findings) EXPECT_EQ(finding.message.find("abc"), std::string::npos);
  // A debug tag allows busybox.
  EXPECT_THAT(keys(f.lint({"debug"})), Not(Contains(Key{"DISTILL-0005", "/bin/busybox"})));
}

TEST(LintTest, ElfFindingsAndUnreadableElf) {
  Fixture f;
  f.config.config.user = "1000";
  verify::test_util::ElfSpec s;
  s.type = kElfTypeExec;
  s.needed = {"libz.so.1"};
  ASSERT_TRUE(f.fs.apply_layer({reg("app/bin", 0755, verify::test_util::build_elf(s)),
                                reg("app/broken", 0755,
                                    std::string("\x7f"
                                                "ELF",
                                                4))})
                  .ok());
  auto findings = f.lint();
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].id, "DISTILL-0006");
  EXPECT_EQ(findings[0].message,
            "needs libz.so.1, which is not in the image (add `packages: [zlib1g]`)");
  EXPECT_EQ(findings[1].id, "DISTILL-0008");
  EXPECT_EQ(findings[1].path, "/app/broken");
}

TEST(LintTest, SecretFilesByContentDotenvAndDanglingLinks) {
  Fixture f;
  f.config.config.user = "1000";
  using image::FileType;
  ASSERT_TRUE(
      f.fs.apply_layer(
              {reg("app/.env", 0644, "DB_PASSWORD=hunter2\n"), reg("app/.env.production", 0644),
               reg("app/.npmrc", 0644, "//registry.example/:_authToken=npm_abc123\n"),
               reg("srv/.npmrc", 0644, "registry=https://registry.example/\n"),
               reg("app/server.pem", 0600,
                   "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n"),
               reg("app/ca.pem", 0644, "-----BEGIN CERTIFICATE-----\nMIIB\n"),
               reg("home/u/.pypirc", 0600, "[pypi]\nusername = u\npassword = s3cret\n"),
               reg("home/u/.ssh/id_ed25519", 0600),
               entry("app/node_modules/.bin/mime", FileType::kSymlink, 0777, std::nullopt,
                     "../mime/cli.js"),
               reg("app/node_modules/mime/cli.js", 0755),
               entry("app/cacerts", FileType::kSymlink, 0777, std::nullopt,
                     "/etc/ssl/certs/java/cacerts"),
               entry("etc/mtab", FileType::kSymlink, 0777, std::nullopt, "../proc/self/mounts"),
               entry("app/log", FileType::kSymlink, 0777, std::nullopt, "/dev/stdout")})
          .ok());
  auto findings = f.lint();
  auto k = keys(findings);
  for (Key want : std::vector<Key>{{"DISTILL-0009", "/app/.env"},
                                   {"DISTILL-0009", "/app/.env.production"},
                                   {"CIS-DI-0010", "/app/.npmrc"},
                                   {"CIS-DI-0010", "/app/server.pem"},
                                   {"CIS-DI-0010", "/home/u/.pypirc"},
                                   {"CIS-DI-0010", "/home/u/.ssh/id_ed25519"},
                                   {"DISTILL-0010", "/app/cacerts"}})
    EXPECT_THAT(k, Contains(want)) << std::get<0>(want) << " " << std::get<1>(want);
  for (Key not_want : std::vector<Key>{{"CIS-DI-0010", "/srv/.npmrc"},
                                       {"CIS-DI-0010", "/app/ca.pem"},
                                       {"DISTILL-0010", "/app/node_modules/.bin/mime"},
                                       {"DISTILL-0010", "/etc/mtab"},
                                       {"DISTILL-0010", "/app/log"}})
    EXPECT_THAT(k, Not(Contains(not_want)))
        << std::get<0>(not_want) << " " << std::get<1>(not_want);
  // Never the secret itself.
  for (const auto& finding : findings) {
    EXPECT_EQ(finding.message.find("hunter2"), std::string::npos);
    EXPECT_EQ(finding.message.find("npm_abc123"), std::string::npos);
    EXPECT_EQ(finding.message.find("s3cret"), std::string::npos);
  }
  EXPECT_TRUE(lint_keep_content("app/.npmrc"));
  EXPECT_TRUE(lint_keep_content("app/server.pem"));
  EXPECT_FALSE(lint_keep_content("etc/ssl/certs/ca.pem"));
}

TEST(LintTest, LevelsAndRules) {
  EXPECT_EQ(parse_lint_level("warn"), LintLevel::kWarn);
  EXPECT_FALSE(parse_lint_level("error"));
  for (const auto& r : lint_rules()) EXPECT_EQ(find_lint_rule(r.id), &r);
  EXPECT_EQ(find_lint_rule("CIS-DI-0010")->level, LintLevel::kFatal);
  EXPECT_EQ(find_lint_rule("NOPE"), nullptr);
}

}  // namespace
}  // namespace distill::verify
