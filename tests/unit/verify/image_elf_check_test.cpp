#include "verify/image_elf_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/image/image_test_util.hpp"
#include "unit/verify/elf_builder.hpp"
#include "verify/elf_file.hpp"

namespace distill::verify {
namespace {

namespace it = image::test_util;
using ::testing::HasSubstr;
using verify::test_util::build_elf;
using verify::test_util::ElfSpec;

class ImageElfCheckTest : public it::TempFolderTest {};

std::string program(std::vector<std::string> needed) {
  ElfSpec s;
  s.type = kElfTypeExec;
  s.interpreter = "/lib64/ld-linux-x86-64.so.2";
  s.needed = std::move(needed);
  return build_elf(s);
}

std::string library(std::string soname) {
  ElfSpec s;
  s.soname = std::move(soname);
  return build_elf(s);
}

TEST_F(ImageElfCheckTest, ChecksSelectedFilesAcrossLayers) {
  std::string os_layer =
      it::make_tar({it::dir("usr/"), it::dir("usr/lib/"), it::dir("usr/lib/x86_64-linux-gnu/"),
                    it::sym("lib", "usr/lib"), it::sym("lib64", "usr/lib"),
                    it::file("usr/lib/ld-linux-x86-64.so.2", library("ld-linux-x86-64.so.2"), 0755),
                    it::file("usr/lib/x86_64-linux-gnu/libc.so.6", library("libc.so.6"), 0644),
                    // Not selected: its missing library is not reported.
                    it::file("usr/bin/other", program({"libother.so.1"}), 0755)});
  std::string app_layer = it::make_tar(
      {it::dir("app/"), it::file("app/server", program({"libc.so.6", "libstdc++.so.6"}), 0755),
       // Not executable, selected: still checked.
       it::file("app/plugin.bin", program({"libpq.so.5"}), 0644)});
  oci::Image img = it::image_of(dir_->path(), {os_layer, app_layer});
  auto findings = check_built_image(
      img, [](std::string_view p) { return p.starts_with("app/"); },
      lookup_in([](std::string_view p) { return p == "libpq5"; }));
  ASSERT_TRUE(findings.ok()) << findings.error().message();
  ASSERT_EQ(findings->size(), 2u);
  EXPECT_EQ(
      format_finding((*findings)[0]),
      "/app/plugin.bin: needs libpq.so.5, which is not in the image (add `packages: [libpq5]`)");
  EXPECT_EQ(format_finding((*findings)[1]),
            "/app/server: needs libstdc++.so.6, which is not in the image "
            "(add `packages: [libstdc++6]`)");
  auto status = report_elf_findings(*findings, "build amd64");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().where, "build amd64");
  EXPECT_EQ(status.error().what, "2 ELF dependency problems");
  EXPECT_TRUE(report_elf_findings({}, "build amd64").ok());
}

TEST_F(ImageElfCheckTest, OptionalAndAcknowledgedFindingsAreListedNotFatal) {
  ElfFinding fatal{"app/server", ElfProblem::kMissingLibrary, "libfoo.so.1", {}, {}, {}, {}};
  ElfFinding optional{
      "opt/jre/lib/libjsound.so", ElfProblem::kMissingLibrary, "libasound.so.2", {}, {}, {},
      std::string("libasound2")};
  optional.optional = true;
  ElfFinding acked = fatal;
  acked.binary = "app/tool\x1b[2J";
  acked.acknowledged = true;
  EXPECT_EQ(finding_line(fatal),
            "distill: error: /app/server: needs libfoo.so.1, which is not in the image");
  EXPECT_EQ(finding_line(optional),
            "distill: warning: /opt/jre/lib/libjsound.so: needs libasound.so.2, which is not in "
            "the image (optional: no program in the image loads this plugin through DT_NEEDED, "
            "it fails only when one loads it at run time; add `packages: [libasound2]` if yours "
            "does)");
  // Image paths are escaped before they reach the terminal.
  EXPECT_EQ(finding_line(acked),
            "distill: note: acknowledged by elf_check.ignore (DISTILL-0006): /app/tool\\x1b[2J: "
            "needs libfoo.so.1, which is not in the image");
  EXPECT_TRUE(elf_findings_error({optional, acked}, "build amd64").ok());
  auto status = elf_findings_error({optional, fatal, acked}, "build amd64");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().what, "1 ELF dependency problem");
}

TEST_F(ImageElfCheckTest, TamperedBlobIsAnError) {
  oci::Image img = it::image_of(dir_->path(), {it::make_tar({it::file("a", "x")})});
  ASSERT_TRUE(core::write_file_atomic(img.layers[0].path, "garbage").ok());
  auto findings = check_built_image(img, {});
  ASSERT_FALSE(findings.ok());
}

}  // namespace
}  // namespace distill::verify
