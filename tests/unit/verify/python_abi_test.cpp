#include "verify/python_abi.hpp"

#include <gtest/gtest.h>

namespace distill::verify {
namespace {

PythonTarget bookworm_amd64() {
  return PythonTarget{11, "x86_64-linux-gnu", 36, "Debian 12"};
}

TEST(PythonAbi, TargetFromThePackages) {
  auto t = python_target({"libc6=2.36-9+deb12u7", "libpython3.11-minimal=3.11.2-6",
                          "python3.11-minimal=3.11.2-6", "python3-minimal=3.11.2-1+b1"},
                         "x86_64-linux-gnu", "Debian 12");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->minor, 11);
  EXPECT_EQ(t->glibc_minor, 36);
  EXPECT_EQ(t->python(), "python3.11");
  auto trixie = python_target({"libc6=2.41-12", "python3.13-minimal=3.13.5-2"}, "aarch64-linux-gnu",
                              "Debian 13");
  ASSERT_TRUE(trixie);
  EXPECT_EQ(trixie->minor, 13);
  EXPECT_EQ(trixie->glibc_minor, 41);
  EXPECT_FALSE(python_target({"libc6=2.36-9", "base-files=12.4"}, "x86_64-linux-gnu", "Debian 12"));
}

TEST(PythonAbi, ExtensionNames) {
  auto e = parse_extension_name("_speed.cpython-311-x86_64-linux-gnu.so");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, ExtensionName::Kind::kCpython);
  EXPECT_EQ(e->module, "_speed");
  EXPECT_EQ(e->minor, 11);
  EXPECT_EQ(e->flags, "");
  EXPECT_EQ(e->triplet, "x86_64-linux-gnu");
  e = parse_extension_name("m.cpython-311d-x86_64-linux-gnu.so");
  EXPECT_EQ(e->flags, "d");
  e = parse_extension_name("m.cpython-39.so");
  EXPECT_EQ(e->minor, 9);
  EXPECT_EQ(e->triplet, "");
  EXPECT_EQ(parse_extension_name("m.abi3.so")->kind, ExtensionName::Kind::kAbi3);
  EXPECT_EQ(parse_extension_name("m.so")->kind, ExtensionName::Kind::kUntagged);
  EXPECT_EQ(parse_extension_name("m.pypy39-pp73-x86_64-linux-gnu.so")->kind,
            ExtensionName::Kind::kOther);
  EXPECT_FALSE(parse_extension_name("libfoo.so.1"));
  EXPECT_FALSE(parse_extension_name("m.py"));
  EXPECT_EQ(parse_extension_name(".so")->kind, ExtensionName::Kind::kUntagged);
  EXPECT_EQ(parse_extension_name("m.cpython-.so")->kind, ExtensionName::Kind::kOther);
}

TEST(PythonAbi, ExtensionRules) {
  auto t = bookworm_amd64();
  auto check = [&](const char* name) { return extension_problem(*parse_extension_name(name), t); };
  EXPECT_FALSE(check("m.cpython-311-x86_64-linux-gnu.so"));
  EXPECT_FALSE(check("m.cpython-311.so"));
  EXPECT_FALSE(check("m.abi3.so"));
  EXPECT_FALSE(check("m.so"));
  auto why = check("m.cpython-312-x86_64-linux-gnu.so");
  ASSERT_TRUE(why);
  EXPECT_EQ(*why,
            "is built for CPython 3.12 (cpython-312-x86_64-linux-gnu), the image has python3.11");
  EXPECT_NE(check("m.cpython-311d-x86_64-linux-gnu.so")->find("debug"), std::string::npos);
  EXPECT_NE(check("m.cpython-311t-x86_64-linux-gnu.so")->find("free-threaded"), std::string::npos);
  why = check("m.cpython-311-aarch64-linux-gnu.so");
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("aarch64-linux-gnu"), std::string::npos);
  EXPECT_TRUE(check("m.pypy39-pp73-x86_64-linux-gnu.so"));
}

TEST(PythonAbi, WheelTagLines) {
  auto tags = parse_wheel_tags(
      "Wheel-Version: 1.0\nGenerator: bdist_wheel\nRoot-Is-Purelib: false\n"
      "Tag: cp311-cp311-manylinux_2_17_x86_64\r\nTag: cp311-cp311-manylinux2014_x86_64\n"
      "Tag: py2.py3-none-any\nTag: broken\nTag: a--b\n");
  ASSERT_EQ(tags.size(), 4u);
  EXPECT_EQ(tags[0].text(), "cp311-cp311-manylinux_2_17_x86_64");
  EXPECT_EQ(tags[1].platform, "manylinux2014_x86_64");
  EXPECT_EQ(tags[2].text(), "py2-none-any");
  EXPECT_EQ(tags[3].text(), "py3-none-any");
}

TEST(PythonAbi, ManylinuxAliases) {
  EXPECT_EQ(parse_manylinux("manylinux1_x86_64")->glibc_minor, 5);
  EXPECT_EQ(parse_manylinux("manylinux2010_i686")->glibc_minor, 12);
  EXPECT_EQ(parse_manylinux("manylinux2014_aarch64")->glibc_minor, 17);
  auto m = parse_manylinux("manylinux_2_36_x86_64");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->glibc_minor, 36);
  EXPECT_EQ(m->arch, "x86_64");
  EXPECT_FALSE(parse_manylinux("manylinux_3_1_x86_64"));
  EXPECT_FALSE(parse_manylinux("manylinux_2_x86_64"));
  EXPECT_FALSE(parse_manylinux("linux_x86_64"));
}

std::optional<std::string> wheel(const std::string& tag, PythonTarget t = bookworm_amd64()) {
  return wheel_problem(parse_wheel_tags("Tag: " + tag + "\n"), t);
}

TEST(PythonAbi, WheelGlibcEdge) {
  EXPECT_FALSE(wheel("cp311-cp311-manylinux_2_36_x86_64"));
  auto why = wheel("cp311-cp311-manylinux_2_37_x86_64");
  ASSERT_TRUE(why);
  EXPECT_EQ(*why,
            "wheel tag cp311-cp311-manylinux_2_37_x86_64 needs glibc 2.37, the image has "
            "glibc 2.36");
  EXPECT_FALSE(wheel("cp311-cp311-manylinux2014_x86_64"));
  EXPECT_FALSE(wheel("cp311-cp311-manylinux1_x86_64"));
  EXPECT_FALSE(wheel("cp311-cp311-linux_x86_64"));
  PythonTarget unknown = bookworm_amd64();
  unknown.glibc_minor = -1;
  EXPECT_FALSE(wheel("cp311-cp311-manylinux_2_99_x86_64", unknown));
}

TEST(PythonAbi, WheelPythonVersions) {
  EXPECT_TRUE(wheel("cp312-cp312-manylinux_2_17_x86_64"));
  EXPECT_TRUE(wheel("cp310-cp310-manylinux_2_17_x86_64"));
  EXPECT_FALSE(wheel("py3-none-any"));
  EXPECT_FALSE(wheel("py311-none-any"));
  EXPECT_TRUE(wheel("py312-none-any"));
  EXPECT_TRUE(wheel("py2-none-any"));
  EXPECT_TRUE(wheel("pp39-pypy39_pp73-manylinux_2_17_x86_64"));
  EXPECT_TRUE(wheel("cp311-cp311d-manylinux_2_17_x86_64"));
}

TEST(PythonAbi, WheelAbi3SetsAMinimum) {
  EXPECT_FALSE(wheel("cp38-abi3-manylinux_2_17_x86_64"));
  EXPECT_FALSE(wheel("cp311-abi3-manylinux_2_17_x86_64"));
  auto why = wheel("cp312-abi3-manylinux_2_17_x86_64");
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("needs CPython 3.12 or newer"), std::string::npos) << *why;
}

TEST(PythonAbi, WheelArchitectureAndLibc) {
  auto why = wheel("cp38-abi3-manylinux2014_aarch64");
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("is for aarch64, the image is x86_64"), std::string::npos) << *why;
  PythonTarget arm{11, "aarch64-linux-gnu", 36, "Debian 12"};
  EXPECT_FALSE(wheel("cp38-abi3-manylinux2014_aarch64", arm));
  EXPECT_NE(wheel("cp311-cp311-musllinux_1_1_x86_64")->find("musl"), std::string::npos);
  EXPECT_NE(wheel("cp311-cp311-win_amd64")->find("another platform"), std::string::npos);
  EXPECT_NE(wheel("cp311-cp311-macosx_11_0_arm64")->find("another platform"), std::string::npos);
}

TEST(PythonAbi, AnyFittingTagAccepts) {
  EXPECT_FALSE(wheel_problem(parse_wheel_tags("Tag: cp311-cp311-musllinux_1_1_x86_64\n"
                                              "Tag: cp311-cp311-manylinux_2_17_x86_64\n"),
                             bookworm_amd64()));
  EXPECT_FALSE(wheel("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"));
  EXPECT_FALSE(wheel_problem({}, bookworm_amd64()));
}

}  // namespace
}  // namespace distill::verify
