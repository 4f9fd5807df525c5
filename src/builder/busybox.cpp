#include "builder/busybox.hpp"

#include <string>

namespace distill::builder {

void add_busybox(Rootfs& fs, const std::vector<oci::FsEntry>& entries) {
  static const char* kApplets[] = {"sh",    "ash",  "cat",   "cp",    "echo",  "env",  "grep",
                                   "head",  "id",   "ls",    "mkdir", "mv",    "ps",   "pwd",
                                   "rm",    "sed",  "sleep", "tail",  "touch", "vi",   "wget",
                                   "which", "find", "chmod", "df",    "du",    "less", "nc"};
  for (const auto& e : entries) {
    if (e.type != oci::EntryType::kRegular || !e.path.ends_with("bin/busybox")) continue;
    oci::FsEntry bin = e;
    bin.path = "busybox/busybox";
    bin.mode = 0755;
    fs.put(oci::FsEntry::directory("busybox"));
    fs.put(std::move(bin));
    for (const char* a : kApplets)
      fs.put(oci::FsEntry::symlink(std::string("busybox/") + a, "busybox"));
    return;
  }
}

}  // namespace distill::builder
