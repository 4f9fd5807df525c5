#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace distill::runtime {

// What the host can execute: its Debian architecture and whether a
// binfmt_misc handler (qemu-user) is registered and enabled for another
// one (by qemu's name: "aarch64", "arm", "s390x", ...).
struct HostExec {
  std::string arch;  // "amd64"
  std::function<bool(const std::string& qemu_name)> emulator_enabled;
};

// The real host: debian::host_arch() and /proc/sys/fs/binfmt_misc.
HostExec system_host_exec();

// The container's program and where it may not be looked for.
struct ProgramToCheck {
  std::vector<std::string> args;  // args[0] is checked
  std::vector<std::string> env;   // "K=V": its PATH is searched for a bare name
  std::string cwd = "/";          // a relative name with a '/' starts here
  // Container paths that are not the image's (mounts: /tmp, -v targets):
  // a program below one of them is not checked.
  std::vector<std::string> not_in_image;
};

// Checks, before runc starts, that the container's program is in the image
// and can run here, so that a typo or a foreign architecture is one clear
// error rather than runc's "exec: no such file or directory" or "exec
// format error". Names are resolved inside `root_fd` as the container sees
// them (symlinks followed, but never out of the root: openat2 with
// RESOLVE_IN_ROOT). A "#!" script's interpreter is checked the same way.
// Errors start with `where` (the image).
core::Status check_program(int root_fd, const ProgramToCheck& program, const HostExec& host,
                           const std::string& where);

// "arm64 (aarch64)" style names of an ELF header's machine, or empty when
// `header` is not an ELF header distill knows: {debian arch, qemu name}.
struct ElfArch {
  std::string debian;
  std::string qemu;
};
ElfArch elf_arch(std::string_view header);

}  // namespace distill::runtime
