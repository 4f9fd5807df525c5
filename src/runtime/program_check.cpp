#include "runtime/program_check.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/file_util.hpp"
#include "core/strings.hpp"
#include "core/text.hpp"
#include "core/unique_fd.hpp"
#include "debian/solve.hpp"
#include "oci/image_config.hpp"

namespace distill::runtime {
namespace {

// The kernel reads this much of a file to pick its format (BINPRM_BUF_SIZE).
constexpr size_t kHeaderSize = 256;
// Scripts whose interpreter is a script, and so on.
constexpr int kMaxInterpreterDepth = 4;

constexpr const char* kEntrypointHint = "check the entrypoint, or pass --entrypoint";

// `path` as the container sees it: absolute names and symlinks are resolved
// with `root_fd` as "/", never above it.
core::UniqueFd open_in_root(int root_fd, const std::string& path) {
  open_how how = {};
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return core::UniqueFd(
      static_cast<int>(::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how)));
}

// A regular file with an execute bit: what execve and a PATH search take.
bool is_program(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0;
}

std::string read_header(int fd) {
  std::string out(kHeaderSize, '\0');
  ssize_t n = ::pread(fd, out.data(), out.size(), 0);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty() || dir.back() == '/') return std::string(dir) + std::string(name);
  return std::string(dir) + "/" + std::string(name);
}

// Lexically: `path` is one of `dirs` or below one.
bool below(std::string_view path, const std::vector<std::string>& dirs) {
  std::string norm = "/" + core::normalize_relative_path(path.substr(path.starts_with('/')))
                               .value_or(std::string(path.substr(path.starts_with('/'))));
  for (const auto& d : dirs) {
    if (norm == d || norm.starts_with(d.ends_with('/') ? d : d + "/")) return true;
  }
  return false;
}

std::string env_value(const std::vector<std::string>& env, std::string_view key) {
  for (const auto& kv : env)
    if (kv.size() > key.size() && kv.starts_with(key) && kv[key.size()] == '=')
      return kv.substr(key.size() + 1);
  return std::string(oci::kDefaultPath);
}

bool native(const std::string& host, const std::string& program) {
  if (host == program) return true;
  // 32-bit programs the 64-bit kernel runs itself.
  if (host == "amd64") return program == "i386";
  if (host == "arm64") return program == "armhf" || program == "armel";
  return false;
}

uint16_t read_u16(std::string_view b, size_t at, bool big_endian) {
  auto lo = static_cast<uint8_t>(b[at]), hi = static_cast<uint8_t>(b[at + 1]);
  return big_endian ? static_cast<uint16_t>(lo << 8 | hi) : static_cast<uint16_t>(hi << 8 | lo);
}

class Checker {
 public:
  Checker(int root_fd, const ProgramToCheck& program, const HostExec& host,
          const std::string& where)
      : root_fd_(root_fd), program_(program), host_(host), where_(where) {}

  core::Status check(const std::string& name, int depth, const std::string& script) {
    std::string shown = core::escape_control(name);
    core::UniqueFd fd;
    std::string path = name;
    if (name.find('/') != std::string::npos && !name.starts_with('/'))
      path = join_path(program_.cwd, name);
    if (path.starts_with('/') && below(path, program_.not_in_image)) return core::Status::Ok();
    if (name.find('/') == std::string::npos) {
      std::string search = env_value(program_.env, "PATH");
      for (std::string_view dir : core::split(search, ':')) {
        if (dir.empty()) continue;
        if (below(dir, program_.not_in_image)) return core::Status::Ok();
        core::UniqueFd candidate = open_in_root(root_fd_, join_path(dir, name));
        if (candidate && is_program(candidate.get())) {
          fd = std::move(candidate);
          path = join_path(dir, name);
          break;
        }
      }
      if (!fd) return missing(shown, script, "PATH=" + core::escape_control(search));
    } else {
      fd = open_in_root(root_fd_, path);
      if (!fd)
        return missing(shown, script,
                       "PATH=" + core::escape_control(env_value(program_.env, "PATH")));
      if (!is_program(fd.get()))
        return core::make_error(where_, "'" + shown + "' is not an executable file in the image",
                                kEntrypointHint);
    }
    return check_format(core::escape_control(path), read_header(fd.get()), depth);
  }

 private:
  core::Error missing(const std::string& shown, const std::string& script,
                      const std::string& searched) {
    if (!script.empty())
      return core::make_error(
          where_, "'" + script + "' is a script for '" + shown + "', which is not in the image",
          "distroless images have no shell: run the program itself, or add "
          "its interpreter");
    return core::make_error(where_, "'" + shown + "' not found in the image (" + searched + ")",
                            kEntrypointHint);
  }

  core::Status check_format(const std::string& shown, std::string_view header, int depth) {
    if (header.starts_with("#!")) {
      if (depth >= kMaxInterpreterDepth) return core::Status::Ok();  // the kernel's to judge
      std::string_view line = header.substr(2, header.find('\n') - 2);
      line = core::trim_blanks(line);
      std::string interpreter(line.substr(0, line.find_first_of(" \t")));
      if (interpreter.empty()) return core::Status::Ok();
      return check(interpreter, depth + 1, shown);
    }
    ElfArch arch = elf_arch(header);
    if (arch.debian.empty() || host_.arch.empty() || native(host_.arch, arch.debian) ||
        (host_.emulator_enabled && host_.emulator_enabled(arch.qemu)))
      return core::Status::Ok();
    return core::make_error(
        where_,
        "'" + shown + "' is a program for " + arch.debian + " (" + arch.qemu +
            ") and this host runs " + host_.arch + " with no emulator registered",
        "apt-get install qemu-user-static binfmt-support, mount binfmt_misc, update-binfmts "
        "--enable qemu-" +
            arch.qemu);
  }

  int root_fd_;
  const ProgramToCheck& program_;
  const HostExec& host_;
  const std::string& where_;
};

// A binfmt_misc file's first line is "enabled" or "disabled".
bool binfmt_enabled(const std::string& path) {
  auto text = core::read_file(path);
  return text.ok() && text->starts_with("enabled");
}

}  // namespace

ElfArch elf_arch(std::string_view h) {
  if (h.size() < 20 || !h.starts_with("\x7f"
                                      "ELF"))
    return {};
  bool is64 = h[4] == 2, big = h[5] == 2;
  switch (read_u16(h, 18, big)) {
    case 3:
      return {"i386", "i386"};
    case 62:
      return {"amd64", "x86_64"};
    case 40:
      return big ? ElfArch{"armeb", "armeb"} : ElfArch{"armhf", "arm"};
    case 183:
      return {"arm64", "aarch64"};
    case 21:
      return big ? ElfArch{"ppc64", "ppc64"} : ElfArch{"ppc64el", "ppc64le"};
    case 22:
      return {"s390x", "s390x"};
    case 243:
      return is64 ? ElfArch{"riscv64", "riscv64"} : ElfArch{"riscv32", "riscv32"};
    case 8:
      if (is64) return big ? ElfArch{"mips64", "mips64"} : ElfArch{"mips64el", "mips64el"};
      return big ? ElfArch{"mips", "mips"} : ElfArch{"mipsel", "mipsel"};
    case 258:
      return {"loong64", "loongarch64"};
    default:
      return {};
  }
}

HostExec system_host_exec() {
  return {debian::host_arch(), [](const std::string& qemu) {
            const std::string dir = "/proc/sys/fs/binfmt_misc/";
            return binfmt_enabled(dir + "status") && binfmt_enabled(dir + "qemu-" + qemu);
          }};
}

core::Status check_program(int root_fd, const ProgramToCheck& program, const HostExec& host,
                           const std::string& where) {
  if (program.args.empty()) return core::Status::Ok();
  Checker checker(root_fd, program, host, where);
  return checker.check(program.args.front(), 0, {});
}

}  // namespace distill::runtime
