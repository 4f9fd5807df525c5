#include "runtime/program_check.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/unique_fd.hpp"
#include "unit/test_util/temp_folder.hpp"

using namespace distill;
using namespace distill::runtime;

namespace {

// The first 20 bytes of an ELF header: class, byte order and machine.
std::string elf_header(uint16_t machine, bool is64 = true, bool big = false) {
  std::string h = std::string(
                      "\x7f"
                      "ELF",
                      4) +
                  char(is64 ? 2 : 1) + char(big ? 2 : 1);
  h.resize(18, '\0');
  h += big ? std::string{char(machine >> 8), char(machine & 0xff)}
           : std::string{char(machine & 0xff), char(machine >> 8)};
  h.resize(64, '\0');
  return h;
}

class ProgramCheckTest : public test_support::TempFolderTest {
 protected:
  void SetUp() override {
    TempFolderTest::SetUp();
    root_ = path("rootfs");
    std::filesystem::create_directories(root_ + "/usr/bin");
    std::filesystem::create_directory_symlink("usr/bin", root_ + "/bin");
  }
  void put(const std::string& rel, const std::string& data, mode_t mode = 0755) {
    std::filesystem::create_directories(std::filesystem::path(root_ + "/" + rel).parent_path());
    std::ofstream(root_ + "/" + rel, std::ios::binary) << data;
    ::chmod((root_ + "/" + rel).c_str(), mode);
  }
  core::Status check(std::vector<std::string> args,
                     std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin"},
                     std::string cwd = "/") {
    core::UniqueFd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ProgramToCheck p{std::move(args), std::move(env), std::move(cwd), {"/tmp", "/data"}};
    return check_program(root.get(), p, host_, "image:test");
  }
  std::string error(std::vector<std::string> args) {
    auto s = check(std::move(args));
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.error().message();
  }

  std::string root_;
  std::set<std::string> enabled_;
  HostExec host_{"amd64", [this](const std::string& q) { return enabled_.count(q) > 0; }};
};

TEST_F(ProgramCheckTest, FindsProgramsByPathAndThroughPath) {
  put("usr/bin/python3.11", elf_header(62));
  std::filesystem::create_symlink("python3.11", root_ + "/usr/bin/python3");
  EXPECT_TRUE(check({"/usr/bin/python3", "-V"}).ok());
  EXPECT_TRUE(check({"/bin/python3"}).ok()) << "through the image's own /bin -> usr/bin";
  EXPECT_TRUE(check({"python3"}).ok());
  put("app/run", elf_header(62));
  EXPECT_TRUE(check({"./run"}, {}, "/app").ok()) << "relative to the working directory";
  EXPECT_TRUE(check({"/tmp/whatever"}).ok()) << "a mount's content is not the image's";
  EXPECT_TRUE(check({"/data/tool"}).ok());
  EXPECT_TRUE(check({}).ok());
}

TEST_F(ProgramCheckTest, AMissingProgramNamesThePathSearched) {
  EXPECT_EQ(error({"/usr/bin/pyhton3"}),
            "image:test: '/usr/bin/pyhton3' not found in the image "
            "(PATH=/usr/local/bin:/usr/bin:/bin) (check the entrypoint, or pass --entrypoint)");
  EXPECT_EQ(error({"pyhton3"}),
            "image:test: 'pyhton3' not found in the image (PATH=/usr/local/bin:/usr/bin:/bin) "
            "(check the entrypoint, or pass --entrypoint)");
  put("usr/bin/data.txt", "x", 0644);
  EXPECT_NE(error({"data.txt"}).find("not found"), std::string::npos)
      << "a PATH search takes executables only";
  EXPECT_NE(error({"/usr/bin/data.txt"}).find("is not an executable file"), std::string::npos);
  EXPECT_NE(error({"/usr/bin"}).find("is not an executable file"), std::string::npos);
}

TEST_F(ProgramCheckTest, SymlinksNeverLeaveTheRoot) {
  // Resolved with the rootfs as "/": /etc/passwd of the host is never found.
  std::filesystem::create_symlink("/etc/passwd", root_ + "/usr/bin/escape");
  std::filesystem::create_symlink("../../../../../../../../bin/sh", root_ + "/usr/bin/up");
  EXPECT_NE(error({"/usr/bin/escape"}).find("not found in the image"), std::string::npos);
  EXPECT_NE(error({"up"}).find("not found in the image"), std::string::npos);
  EXPECT_NE(error({"/proc/self/exe"}).find("not found in the image"), std::string::npos);
}

TEST_F(ProgramCheckTest, ScriptsNeedTheirInterpreter) {
  put("app/run.sh", "#!/bin/sh -e\necho hi\n");
  EXPECT_EQ(error({"/app/run.sh"}),
            "image:test: '/app/run.sh' is a script for '/bin/sh', which is not in the image "
            "(distroless images have no shell: run the program itself, or add its interpreter)");
  put("usr/bin/sh", elf_header(62));
  EXPECT_TRUE(check({"/app/run.sh"}).ok());
  put("app/tool.py", "#! /usr/bin/python3\nprint(1)\n");
  EXPECT_NE(error({"/app/tool.py"}).find("script for '/usr/bin/python3'"), std::string::npos);
  put("usr/bin/python3", elf_header(183));
  EXPECT_NE(error({"/app/tool.py"}).find("'/usr/bin/python3' is a program for arm64"),
            std::string::npos)
      << "the interpreter's architecture counts too";
}

TEST_F(ProgramCheckTest, AForeignArchitectureNeedsAnEmulator) {
  put("app/server", elf_header(183));
  EXPECT_EQ(error({"/app/server"}),
            "image:test: '/app/server' is a program for arm64 (aarch64) and this host runs "
            "amd64 with no emulator registered (apt-get install qemu-user-static binfmt-support, "
            "mount binfmt_misc, update-binfmts --enable qemu-aarch64)");
  enabled_.insert("aarch64");
  EXPECT_TRUE(check({"/app/server"}).ok()) << "qemu-aarch64 registered and enabled";
  put("app/i386", elf_header(3, false));
  EXPECT_TRUE(check({"/app/i386"}).ok()) << "amd64 runs i386 programs itself";
  put("app/s390x", elf_header(22, true, true));
  EXPECT_NE(error({"/app/s390x"}).find("s390x (s390x)"), std::string::npos);
  put("app/unknown", "\x01\x02 not a known format");
  EXPECT_TRUE(check({"/app/unknown"}).ok()) << "other formats are the kernel's to judge";
}

TEST(ElfArch, KnowsTheDebianArchitectures) {
  EXPECT_EQ(elf_arch(elf_header(62)).debian, "amd64");
  EXPECT_EQ(elf_arch(elf_header(183)).qemu, "aarch64");
  EXPECT_EQ(elf_arch(elf_header(40, false)).debian, "armhf");
  EXPECT_EQ(elf_arch(elf_header(21)).debian, "ppc64el");
  EXPECT_EQ(elf_arch(elf_header(21, true, true)).debian, "ppc64");
  EXPECT_EQ(elf_arch(elf_header(243)).debian, "riscv64");
  EXPECT_EQ(elf_arch(elf_header(8, true)).debian, "mips64el");
  EXPECT_EQ(elf_arch(elf_header(9999)).debian, "");
  EXPECT_EQ(elf_arch("\x7f"
                     "ELF")
                .debian,
            "")
      << "too short";
  EXPECT_EQ(elf_arch("").debian, "");
}

}  // namespace
