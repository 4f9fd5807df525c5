#include "image/rootfs_view.hpp"

#include <algorithm>
#include <vector>

namespace distill::image {
namespace {

constexpr int kMaxSymlinks = 40;  // Linux's MAXSYMLINKS
constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr std::string_view kAufsMetaPrefix = ".wh..wh.";

std::string_view parent_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view base_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string child_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  out += '/';
  out += name;
  return out;
}

bool is_whiteout(std::string_view path) {
  return base_of(path).starts_with(kWhiteoutPrefix);
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

}  // namespace

core::Result<RootfsView> RootfsView::read(oci::ImageReader& reader, const oci::PlatformImage& image,
                                          RootfsOptions options) {
  RootfsView view(std::move(options));
  const auto& layers = image.manifest.layers;
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerInfo info;
    info.descriptor = layers[i];
    std::vector<FileEntry> members;
    auto visit = [&](const LayerEntry& e, const ContentReader& content) -> core::Status {
      if (++info.members > view.options_.max_entries)
        return core::make_error(
            "layer " + layers[i].digest.str(),
            "has more than " + std::to_string(view.options_.max_entries) + " members");
      FileEntry f;
      static_cast<LayerEntry&>(f) = e;
      if (is_whiteout(f.path)) ++info.whiteouts;
      DISTILL_TRY(view.maybe_keep(f, content));
      members.push_back(std::move(f));
      return core::Status::Ok();
    };
    DISTILL_ASSIGN(LayerDigests digests, read_layer(reader, layers[i], visit));
    const oci::Digest& expected = image.config.diff_ids.at(i);
    if (digests.diff_id != expected)
      return core::make_error("layer " + layers[i].digest.str(),
                              "uncompressed content is " + digests.diff_id.str() +
                                  ", the config's diff_id says " + expected.str(),
                              "the image is corrupt or was tampered with");
    info.diff_id = digests.diff_id;
    info.uncompressed_size = digests.uncompressed_size;
    DISTILL_TRY(view.apply_layer(std::move(members)));
    view.layers_.push_back(std::move(info));
  }
  return view;
}

core::Status RootfsView::maybe_keep(FileEntry& e, const ContentReader& content) {
  if (e.type != FileType::kRegular || !e.hardlink_to.empty()) return core::Status::Ok();
  if (!options_.keep_content || !options_.keep_content(e.path)) {
    if (options_.probe) {
      DISTILL_ASSIGN(e.probe, options_.probe(e, content));
    }
    return core::Status::Ok();
  }
  if (e.size > options_.max_file_content || kept_bytes_ + e.size > options_.max_total_content)
    return core::Status::Ok();
  DISTILL_ASSIGN(e.content, content.read(e.size));
  kept_bytes_ += static_cast<int64_t>(e.content->size());
  return core::Status::Ok();
}

core::Status RootfsView::apply_layer(std::vector<FileEntry> members) {
  const size_t layer = applied_layers_++;
  std::vector<std::string> opaque;
  std::vector<std::string> removed;
  std::vector<FileEntry*> added;
  for (auto& m : members) {
    std::string_view base = base_of(m.path);
    if (!base.starts_with(kWhiteoutPrefix)) {
      added.push_back(&m);
    } else if (base == kOpaqueMarker) {
      opaque.emplace_back(parent_of(m.path));
    } else if (!base.starts_with(kAufsMetaPrefix) && base.size() > kWhiteoutPrefix.size()) {
      removed.push_back(child_path(parent_of(m.path), base.substr(kWhiteoutPrefix.size())));
    }
  }
  // Whiteouts act on the lower layers only: apply them before this layer's entries.
  for (const auto& dir : opaque) erase_below(dir);
  for (const auto& path : removed) {
    entries_.erase(path);
    erase_below(path);
  }
  for (FileEntry* m : added) {
    auto it = entries_.find(m->path);
    if (it != entries_.end() && it->second.type == FileType::kDirectory &&
        m->type != FileType::kDirectory)
      erase_below(m->path);
    if (!m->hardlink_to.empty()) {
      // The target precedes the link in the tar, or sits in a lower layer.
      if (const FileEntry* target = find(m->hardlink_to)) {
        m->type = target->type;
        m->size = target->size;
        m->link_target = target->link_target;
        if (!m->content) m->content = target->content;
        if (m->probe.empty()) m->probe = target->probe;
      }
    }
    m->layer = layer;
    if (it != entries_.end()) {
      it->second = std::move(*m);
    } else {
      if (entries_.size() >= options_.max_entries)
        return core::make_error("image",
                                "has more than " + std::to_string(options_.max_entries) + " files");
      std::string key = m->path;
      entries_.emplace(std::move(key), std::move(*m));
    }
  }
  return core::Status::Ok();
}

void RootfsView::erase_below(std::string_view dir) {
  if (dir.empty()) {
    entries_.clear();
    return;
  }
  std::string prefix = std::string(dir) + "/";
  auto first = entries_.lower_bound(prefix);
  auto last = first;
  while (last != entries_.end() && last->first.starts_with(prefix)) ++last;
  entries_.erase(first, last);
}

bool RootfsView::has_entries_below(std::string_view dir) const {
  std::string prefix = std::string(dir) + "/";
  auto it = entries_.lower_bound(prefix);
  return it != entries_.end() && it->first.starts_with(prefix);
}

const FileEntry* RootfsView::find(std::string_view path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

core::Result<const FileEntry*> RootfsView::resolve(std::string_view path) const {
  const std::string where = "/" + std::string(path);
  // Components still to walk, the next one at the back.
  std::vector<std::string> todo = split_path(path);
  std::reverse(todo.begin(), todo.end());
  std::string current;  // the resolved folder so far ("" is the root)
  const FileEntry* entry = nullptr;
  int links = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      current = std::string(parent_of(current));
      entry = current.empty() ? nullptr : find(current);
      continue;
    }
    std::string next = child_path(current, part);
    entry = find(next);
    if (entry == nullptr) {
      if (!has_entries_below(next))
        return core::make_error(where, "no such file or folder in the image");
      current = std::move(next);  // a folder the layers left implicit
      continue;
    }
    if (entry->type == FileType::kSymlink) {
      if (++links > kMaxSymlinks)
        return core::make_error(where, "too many levels of symbolic links in the image");
      std::vector<std::string> target = split_path(entry->link_target);
      todo.insert(todo.end(), target.rbegin(), target.rend());
      if (entry->link_target.starts_with("/")) current.clear();
      entry = nullptr;
      continue;
    }
    if (!todo.empty() && entry->type != FileType::kDirectory)
      return core::make_error(where, "'/" + next + "' is not a folder in the image");
    current = std::move(next);
  }
  if (current.empty()) return core::make_error(where, "is the root folder");
  if (entry == nullptr) entry = find(current);
  if (entry == nullptr) return core::make_error(where, "is a folder only implied by its contents");
  return entry;
}

core::Result<std::string_view> RootfsView::read_file(std::string_view path) const {
  DISTILL_ASSIGN(const FileEntry* e, resolve(path));
  if (e->type != FileType::kRegular)
    return core::make_error("/" + std::string(path), "is not a regular file in the image");
  if (!e->content)
    return core::make_error("/" + std::string(path), "content was not read",
                            "RootfsOptions::keep_content must ask for /" + e->path);
  return std::string_view(*e->content);
}

std::vector<const FileEntry*> RootfsView::list(std::string_view dir) const {
  std::vector<const FileEntry*> out;
  std::string prefix = dir.empty() ? std::string() : std::string(dir) + "/";
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && it->first.starts_with(prefix); ++it)
    if (it->first.find('/', prefix.size()) == std::string::npos) out.push_back(&it->second);
  return out;
}

}  // namespace distill::image
