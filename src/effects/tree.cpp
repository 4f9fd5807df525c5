#include "effects/tree.hpp"

#include <algorithm>

#include "core/file_util.hpp"
#include "oci/entry_content.hpp"

namespace distill::effects {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  for (std::string_view part : core::path_components(path)) parts.emplace_back(part);
  return parts;
}

std::string join_parts(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

// Symlinks followed while resolving one path, as Linux's MAXSYMLINKS.
constexpr int kMaxHops = 40;

// The same object: a folder put over a folder (folders carry no content),
// or the same type, metadata and bytes, wherever the bytes are kept (memory,
// a host file, a range of a content pack). Bytes that cannot be read count
// as changed.
bool unchanged(const oci::FsEntry& a, const oci::FsEntry& b) {
  if (a.type == oci::EntryType::kDirectory && b.type == oci::EntryType::kDirectory) return true;
  if (a.type != b.type || a.mode != b.mode || a.uid != b.uid || a.gid != b.gid ||
      a.mtime != b.mtime || a.link_target != b.link_target || a.xattrs != b.xattrs)
    return false;
  if (a.type != oci::EntryType::kRegular) return true;
  auto same = oci::same_content(a, b);
  return same.ok() && *same;
}

}  // namespace

std::string tree_path(std::string_view path) {
  return join_parts(split_path(path));
}

const oci::FsEntry* Tree::find(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

void Tree::put(oci::FsEntry entry) {
  std::string path = entry.path;
  if (tracking_) {
    auto it = entries_.find(path);
    if (it == entries_.end() || !unchanged(it->second, entry)) changed_.insert(path);
  }
  entries_[path] = std::move(entry);
}

void Tree::remove(const std::string& path) {
  if (tracking_ && entries_.erase(path) != 0) changed_.insert(path);
  if (!tracking_) entries_.erase(path);
}

std::vector<std::string> Tree::children(std::string_view dir) const {
  std::vector<std::string> out;
  std::string prefix = dir.empty() ? std::string() : std::string(dir) + "/";
  for (auto it = entries_.lower_bound(prefix); it != entries_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    std::string_view rest = std::string_view(it->first).substr(prefix.size());
    if (!rest.empty() && rest.find('/') == std::string_view::npos) out.emplace_back(rest);
  }
  return out;
}

void Tree::for_each_under(std::string_view dir,
                          const std::function<void(const oci::FsEntry&)>& fn) const {
  std::string prefix = dir.empty() ? std::string() : std::string(dir) + "/";
  for (auto it = entries_.lower_bound(prefix); it != entries_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    fn(it->second);
  }
}

std::optional<std::string> Tree::resolve(std::string_view path) const {
  std::vector<std::string> todo = split_path(path);
  std::reverse(todo.begin(), todo.end());  // a stack: next component last
  std::vector<std::string> done;
  int hops = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    done.push_back(part);
    const oci::FsEntry* e = find(join_parts(done));
    if (!e) return std::nullopt;
    if (e->type == oci::EntryType::kSymlink) {
      if (++hops > kMaxHops) return std::nullopt;
      done.pop_back();
      if (e->link_target.starts_with("/")) done.clear();
      std::vector<std::string> target = split_path(e->link_target);
      for (auto it = target.rbegin(); it != target.rend(); ++it) todo.push_back(*it);
      continue;
    }
    if (!todo.empty() && e->type != oci::EntryType::kDirectory) return std::nullopt;
  }
  return join_parts(done);
}

std::optional<std::string> Tree::place(std::string_view path) const {
  std::string p = tree_path(path);
  auto slash = p.rfind('/');
  std::string name = slash == std::string::npos ? p : p.substr(slash + 1);
  if (name.empty() || name == "..") return std::nullopt;
  if (slash == std::string::npos) return name;
  auto dir = resolve(p.substr(0, slash));
  if (!dir) return std::nullopt;
  if (dir->empty()) return name;
  const oci::FsEntry* d = find(*dir);
  if (!d || d->type != oci::EntryType::kDirectory) return std::nullopt;
  return *dir + "/" + name;
}

const oci::FsEntry* Tree::find_resolved(std::string_view path) const {
  auto resolved = resolve(path);
  return resolved && !resolved->empty() ? find(*resolved) : nullptr;
}

std::vector<std::string> Tree::paths() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [path, e] : entries_) out.push_back(path);
  return out;
}

std::vector<oci::FsEntry> Tree::entries() const {
  std::vector<oci::FsEntry> out;
  out.reserve(entries_.size());
  for (const auto& [path, e] : entries_) out.push_back(e);
  return out;
}

core::Result<std::string> read_entry(const oci::FsEntry& e, uint64_t max_bytes) {
  return oci::read_content(e, max_bytes);
}

std::vector<oci::FsEntry> Tree::take_entries() {
  std::vector<oci::FsEntry> out;
  out.reserve(entries_.size());
  for (auto& [path, e] : entries_) out.push_back(std::move(e));
  entries_.clear();
  return out;
}

}  // namespace distill::effects
