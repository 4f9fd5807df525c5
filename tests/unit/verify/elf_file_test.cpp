#include "verify/elf_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/file_util.hpp"
#include "unit/verify/elf_builder.hpp"

namespace distill::verify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using verify::test_util::build_elf;
using verify::test_util::ElfSpec;

ElfSpec full_spec(bool is_64, bool be) {
  ElfSpec s;
  s.is_64 = is_64;
  s.big_endian = be;
  s.type = kElfTypeExec;
  s.machine = is_64 ? 183 : 40;
  s.interpreter = "/lib/ld-linux-aarch64.so.1";
  s.needed = {"libstdc++.so.6", "libc.so.6"};
  s.runpath = "$ORIGIN/../lib:/opt/lib";
  s.rpath = "/old";
  s.soname = "libapp.so.1";
  s.version_needs = {{"libc.so.6", {"GLIBC_2.34", "GLIBC_2.17"}},
                     {"libstdc++.so.6", {"GLIBCXX_3.4.30"}}};
  s.version_defs = {"APP_1.0", "APP_1.1"};
  return s;
}

class ElfClassTest : public ::testing::TestWithParam<std::pair<bool, bool>> {};

TEST_P(ElfClassTest, ReadsEveryLoaderField) {
  auto [is_64, be] = GetParam();
  auto r = parse_elf(build_elf(full_spec(is_64, be)));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->is_64, is_64);
  EXPECT_EQ(r->big_endian, be);
  EXPECT_EQ(r->type, kElfTypeExec);
  EXPECT_EQ(r->machine, is_64 ? 183 : 40);
  EXPECT_EQ(r->interpreter, "/lib/ld-linux-aarch64.so.1");
  EXPECT_THAT(r->needed, ElementsAre("libstdc++.so.6", "libc.so.6"));
  EXPECT_THAT(r->runpath, ElementsAre("$ORIGIN/../lib", "/opt/lib"));
  EXPECT_THAT(r->rpath, ElementsAre("/old"));
  EXPECT_EQ(r->soname, "libapp.so.1");
  ASSERT_EQ(r->version_needs.size(), 2u);
  EXPECT_EQ(r->version_needs[0].library, "libc.so.6");
  EXPECT_THAT(r->version_needs[0].versions, ElementsAre("GLIBC_2.34", "GLIBC_2.17"));
  EXPECT_EQ(r->version_needs[1].library, "libstdc++.so.6");
  EXPECT_THAT(r->version_needs[1].versions, ElementsAre("GLIBCXX_3.4.30"));
  EXPECT_THAT(r->version_defs, ElementsAre("APP_1.0", "APP_1.1"));
}

INSTANTIATE_TEST_SUITE_P(ClassesAndByteOrders, ElfClassTest,
                         ::testing::Values(std::pair{true, false}, std::pair{true, true},
                                           std::pair{false, false}, std::pair{false, true}));

TEST(ElfFileTest, StaticObjectHasNoDependencies) {
  ElfSpec s;
  s.type = kElfTypeExec;
  auto r = parse_elf(build_elf(s));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->interpreter);
  EXPECT_THAT(r->needed, IsEmpty());
  EXPECT_THAT(r->version_needs, IsEmpty());
}

TEST(ElfFileTest, RejectsNonElf) {
  EXPECT_FALSE(has_elf_magic("#!/bin/sh\n"));
  auto r = parse_elf("#!/bin/sh\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().what, HasSubstr("no ELF magic"));
}

TEST(ElfFileTest, EveryTruncationIsAnError) {
  std::string elf = build_elf(full_spec(true, false));
  for (size_t n = 0; n < elf.size(); ++n) {
    auto r = parse_elf(std::string_view(elf).substr(0, n));
    EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes parsed";
  }
}

TEST(ElfFileTest, EverySingleByteCorruptionIsHandled) {
  // Not every corruption is detectable, but none may crash (ASan/UBSan build).
  std::string elf = build_elf(full_spec(false, true));
  for (size_t i = 0; i < elf.size(); ++i) {
    for (unsigned char v : {0x00, 0x7f, 0xff}) {
      std::string bad = elf;
      bad[i] = static_cast<char>(v);
      (void)parse_elf(bad);
    }
  }
}

TEST(ElfFileTest, BadClassAndHugeCountsAreErrors) {
  std::string elf = build_elf(full_spec(true, false));
  std::string bad_class = elf;
  bad_class[4] = 3;
  auto r = parse_elf(bad_class);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().what, HasSubstr("ELF class"));
  std::string many = elf;
  many[56] = '\xff';  // e_phnum
  many[57] = '\xff';
  r = parse_elf(many);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().what, HasSubstr("program headers"));
}

TEST(ElfFileTest, UnterminatedInterpreterIsAnError) {
  ElfSpec s;
  s.interpreter = "/lib/ld.so";
  std::string elf = build_elf(s);
  size_t at = elf.find("/lib/ld.so");
  elf[at + 10] = 'x';  // the NUL ends the segment
  auto r = parse_elf(elf);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().what, HasSubstr("PT_INTERP"));
}

// Real objects from the host toolchain: what the reader must get right in practice.
TEST(ElfFileTest, ReadsHostExecutable) {
  auto data = core::read_file("/usr/bin/true");
  ASSERT_TRUE(data.ok()) << data.error().message();
  auto r = parse_elf(*data);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(r->interpreter);
  EXPECT_THAT(*r->interpreter, HasSubstr("ld-linux"));
  EXPECT_THAT(r->needed, ::testing::Contains("libc.so.6"));
  ASSERT_FALSE(r->version_needs.empty());
  EXPECT_EQ(r->version_needs[0].library, "libc.so.6");
  EXPECT_THAT(r->version_needs[0].versions, ::testing::Contains(::testing::StartsWith("GLIBC_2.")));
}

TEST(ElfFileTest, ReadsHostLibc) {
  auto data = core::read_file("/lib/x86_64-linux-gnu/libc.so.6");
  ASSERT_TRUE(data.ok()) << data.error().message();
  auto r = parse_elf(*data);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->type, kElfTypeDyn);
  EXPECT_EQ(r->soname, "libc.so.6");
  EXPECT_THAT(r->version_defs, ::testing::Contains("GLIBC_2.2.5"));
  EXPECT_THAT(r->version_defs, ::testing::Contains("GLIBC_2.34"));
  EXPECT_THAT(r->version_defs, ::testing::Not(::testing::Contains("libc.so.6")));
}

}  // namespace
}  // namespace distill::verify
