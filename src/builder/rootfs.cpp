#include "builder/rootfs.hpp"

#include <fmt/format.h>

#include "oci/entry_content.hpp"

namespace distill::builder {
namespace {

constexpr const char* kMergedDirs[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};

bool starts_with_dir(std::string_view path, std::string_view dir) {
  return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

// Two packages that ship one path agree when it is the same object with the
// same bytes; content is compared in chunks, wherever it is stored. Content
// that cannot be read counts as different: the conflict is only reported.
bool same_entry(const oci::FsEntry& a, const oci::FsEntry& b) {
  if (a.type != b.type || a.link_target != b.link_target || a.mode != b.mode) return false;
  if (a.type != oci::EntryType::kRegular) return true;
  auto same = oci::same_content(a, b);
  return same.ok() && *same;
}

}  // namespace

std::string Rootfs::merged_usr_path(std::string_view path) {
  for (const char* dir : kMergedDirs)
    if (starts_with_dir(path, dir)) return "usr/" + std::string(path);
  return std::string(path);
}

bool Rootfs::is_trimmed_doc(std::string_view p) {
  if (starts_with_dir(p, "usr/share/doc")) {
    // Keep usr/share/doc/<pkg>/copyright (licence compliance) and its folder.
    std::string_view rest = p.substr(std::string_view("usr/share/doc").size());
    if (rest.empty()) return false;
    auto slash = rest.find('/', 1);
    if (slash == std::string_view::npos) return false;  // usr/share/doc/<pkg>
    return rest.substr(slash) != "/copyright";
  }
  // Manuals, package-manager and desktop integration, debugger hooks and the
  // leap-second "right/" time zones (moved out of tzdata in trixie): none of
  // it is used by a program at run time in a container.
  for (std::string_view dir :
       {"usr/share/man", "usr/share/info", "usr/share/lintian", "usr/share/linda",
        "usr/share/groff", "usr/share/bug", "usr/share/doc-base", "usr/share/menu",
        "usr/share/applications", "usr/share/pixmaps", "usr/share/gdb", "usr/share/binfmts",
        "usr/lib/binfmt.d", "usr/share/zoneinfo/right"})
    if (starts_with_dir(p, dir)) return true;
  // Message catalogues: translations of program output.
  if (starts_with_dir(p, "usr/share/locale") && p.ends_with(".mo")) return true;
  return false;
}

void Rootfs::add_package(std::string_view package, std::vector<oci::FsEntry> entries) {
  std::vector<std::string>& paths = package_paths_[std::string(package)];
  for (oci::FsEntry& e : entries) {
    // The merged-/usr top-level folders (or, on trixie, base-files' own
    // symlinks for them) are replaced by add_merged_usr_links().
    bool top_merged = false;
    for (const char* dir : kMergedDirs) top_merged |= e.path == dir;
    if (top_merged) continue;
    e.path = merged_usr_path(e.path);
    if (e.type == oci::EntryType::kHardlink) e.link_target = merged_usr_path(e.link_target);
    if (!options_.keep_docs && is_trimmed_doc(e.path)) continue;
    if (e.type == oci::EntryType::kRegular && (e.mode & 06000)) {
      stripped_.push_back(fmt::format("{} ({})", e.path, package));
      e.mode &= ~06000u;
    }
    paths.push_back(e.path);
    auto it = entries_.find(e.path);
    if (it != entries_.end()) {
      if (it->second.type == oci::EntryType::kDirectory && e.type == oci::EntryType::kDirectory)
        continue;
      if (!same_entry(it->second, e)) {
        conflicts_.push_back(fmt::format("/{}: {} and {}", e.path, owner_[e.path], package));
        conflicted_.insert(std::string(package));
      }
      continue;
    }
    owner_[e.path] = std::string(package);
    entries_.emplace(e.path, std::move(e));
  }
}

void Rootfs::add_merged_usr_links() {
  for (const char* dir : kMergedDirs) {
    std::string target = std::string("usr/") + dir;
    auto under = entries_.lower_bound(target + "/");
    bool populated = under != entries_.end() && under->first.starts_with(target + "/");
    bool needed = std::string_view(dir) == "bin" || std::string_view(dir) == "sbin" ||
                  std::string_view(dir) == "lib" || populated;
    if (!needed) continue;
    if (!entries_.count(target)) put(oci::FsEntry::directory(target));
    put(oci::FsEntry::symlink(dir, target));
  }
}

std::optional<oci::FsEntry> Rootfs::take(const std::string& path) {
  auto it = entries_.find(path);
  if (it == entries_.end()) return std::nullopt;
  oci::FsEntry e = std::move(it->second);
  entries_.erase(it);
  return e;
}

uint64_t Rootfs::content_bytes() const {
  uint64_t total = 0;
  for (const auto& [path, e] : entries_) {
    if (e.type != oci::EntryType::kRegular) continue;
    auto size = oci::content_size(e);
    if (size.ok()) total += *size;
  }
  return total;
}

}  // namespace distill::builder
