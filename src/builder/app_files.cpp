#include "builder/app_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "core/file_util.hpp"
#include "core/unique_fd.hpp"

namespace distill::builder {
namespace {

// A name used as a pattern that matches only itself.
std::string literal_pattern(std::string_view name) {
  std::string out = "/";
  for (char c : name) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

size_t depth_of(std::string_view rel) {
  return rel.empty() ? 0 : 1 + static_cast<size_t>(std::count(rel.begin(), rel.end(), '/'));
}

std::string join_rel(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

// One `files` entry's folder, walked in sorted order.
class FolderCopy {
 public:
  FolderCopy(const Spec& spec, const FileSpec& f, const core::IgnorePatterns& context)
      : f_(f), where_(fmt::format("{}:{}", spec.path, f.line)), context_(context) {}

  // The entry of a file or symlink named as src itself.
  core::Result<oci::FsEntry> named(const std::string& host, const struct stat& st,
                                   const std::string& image_path) {
    return entry(host, st, image_path);
  }

  core::Status copy(std::string context_rel, const std::string& dst,
                    std::vector<oci::FsEntry>& out) {
    context_rel_ = std::move(context_rel);
    context_skip_ = depth_of(context_rel_);
    for (const std::string& p : f_.exclude) {
      core::Status st = entry_.add(p);
      if (!st.ok()) return st.error().with_where(where_ + ": exclude");
    }
    std::string root = f_.src_path;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    return walk(root, "", dst, out);
  }

 private:
  core::Error fail(const std::string& host, std::string what, std::string hint = {}) const {
    return core::make_error(where_, fmt::format("files: {}: {}", host, what), std::move(hint));
  }

  core::Result<std::vector<std::string>> sorted_names(const std::string& dir) const {
    DIR* d = ::opendir(dir.c_str());
    if (!d)
      return fail(dir, fmt::format("cannot read the folder: {}", std::strerror(errno)),
                  "make it readable, or leave it out with .distillignore or exclude");
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* de = ::readdir(d)) {
      std::string_view n = de->d_name;
      if (n != "." && n != "..") names.emplace_back(n);
    }
    int err = errno;
    ::closedir(d);
    if (err) return fail(dir, fmt::format("cannot list the folder: {}", std::strerror(err)));
    // readdir's order is the filesystem's: sorted, the layer is the same on every host.
    std::sort(names.begin(), names.end());
    return names;
  }

  bool excluded(const std::string& rel, bool& walk_anyway) const {
    std::string ctx = join_rel(context_rel_, rel);
    bool by_context = context_.excluded(ctx, context_skip_);
    bool by_entry = entry_.excluded(rel);
    walk_anyway = (!by_context || context_.may_reinclude_below(ctx)) &&
                  (!by_entry || entry_.may_reinclude_below(rel));
    return by_context || by_entry;
  }

  core::Result<oci::FsEntry> entry(const std::string& host, const struct stat& st,
                                   const std::string& image_path) {
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
      const char* kind = S_ISCHR(st.st_mode)    ? "a character device"
                         : S_ISBLK(st.st_mode)  ? "a block device"
                         : S_ISFIFO(st.st_mode) ? "a FIFO"
                         : S_ISSOCK(st.st_mode) ? "a socket"
                                                : "not a file, folder or symlink";
      return fail(host, fmt::format("is {}", kind),
                  "images hold only files, folders and symlinks: remove it, or leave it out "
                  "with .distillignore or exclude");
    }
    if (S_ISREG(st.st_mode)) {
      // Opened now, never through a symlink, so an unreadable file is named
      // with its entry instead of failing later in the layer writer.
      core::UniqueFd fd(::open(host.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
      if (!fd)
        return fail(host, fmt::format("cannot read: {}", std::strerror(errno)),
                    "make it readable, or leave it out with .distillignore or exclude");
      if (st.st_nlink > 1) {
        auto [it, first] = links_.try_emplace({st.st_dev, st.st_ino}, image_path);
        if (!first) {
          oci::FsEntry link = oci::FsEntry::hardlink(image_path, it->second);
          link.mode = f_.mode ? *f_.mode : (st.st_mode & 0755);
          link.uid = f_.uid;
          link.gid = f_.gid;
          link.mtime = st.st_mtim.tv_sec;
          core::Status ok = oci::validate_entry(link);
          if (!ok.ok()) return fail(host, ok.error().what, ok.error().hint);
          return link;
        }
      }
    }
    auto e = oci::entry_from_host(host, image_path);
    if (!e.ok()) return fail(host, e.error().what, e.error().hint);
    if (e->type == oci::EntryType::kRegular)
      e->mode = f_.mode ? *f_.mode : (e->mode & 0755);
    else if (e->type == oci::EntryType::kDirectory)
      e->mode &= 0755;
    e->uid = f_.uid;
    e->gid = f_.gid;
    return std::move(*e);
  }

  core::Status walk(const std::string& host_dir, const std::string& rel_dir,
                    const std::string& dst_dir, std::vector<oci::FsEntry>& out) {
    DISTILL_ASSIGN(auto names, sorted_names(host_dir));
    for (const std::string& name : names) {
      std::string host = host_dir + "/" + name;
      std::string rel = join_rel(rel_dir, name);
      std::string image_path = join_rel(dst_dir, name);
      struct stat st {};
      if (::lstat(host.c_str(), &st) != 0)
        return fail(host, fmt::format("cannot read: {}", std::strerror(errno)));
      bool walk_anyway = false;
      bool skip = excluded(rel, walk_anyway);
      if (skip && !(S_ISDIR(st.st_mode) && walk_anyway)) continue;
      DISTILL_ASSIGN(oci::FsEntry e, entry(host, st, image_path));
      bool is_dir = e.type == oci::EntryType::kDirectory;
      size_t mark = out.size();
      out.push_back(std::move(e));
      if (!is_dir) continue;
      DISTILL_TRY(walk(host, rel, image_path, out));
      // An excluded folder is walked only for what a '!' pattern brings back,
      // and kept (with its host mode) only when something did come back.
      if (skip && out.size() == mark + 1) out.pop_back();
    }
    return core::Status::Ok();
  }

  const FileSpec& f_;
  std::string where_;
  const core::IgnorePatterns& context_;
  core::IgnorePatterns entry_;
  std::string context_rel_;
  size_t context_skip_ = 0;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;  // first image path of each inode
};

// Where a folder sits relative to the spec's folder, symlinks resolved;
// a folder from elsewhere (--allow-outside) is its own context.
std::string context_path(const std::string& root, const std::string& folder) {
  auto real = core::resolve_path(folder + "/");
  if (!real.ok() || !core::path_is_within(*real, root) || real->size() <= root.size()) return "";
  std::string rel = real->substr(root.size());
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  return rel;
}

core::Status check_within(const std::string& root, const std::string& where,
                          const std::string& what, const std::string& path) {
  auto real = core::resolve_path(path);
  if (!real.ok()) return real.error().with_where(where);
  if (!core::path_is_within(*real, root))
    return core::make_error(
        where, fmt::format("{} resolves to {}, outside the spec's folder {}", what, *real, root),
        "move it into that folder, or pass --allow-outside to distill build");
  return core::Status::Ok();
}

}  // namespace

core::Result<core::IgnorePatterns> app_ignore_patterns(const Spec& spec) {
  core::IgnorePatterns p;
  for (const char* d : {"**/.git", "**/.env*", "**/__pycache__", "**/*.pyc"}) DISTILL_TRY(p.add(d));
  std::string spec_name = spec.path.substr(spec.path.rfind('/') + 1);
  if (!spec_name.empty()) DISTILL_TRY(p.add(literal_pattern(spec_name)));
  DISTILL_TRY(p.add(literal_pattern(kIgnoreFileName)));
  std::string file = spec.base_dir + "/" + kIgnoreFileName;
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) return p;
    return core::make_error(file, std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode))
    return core::make_error(file, "is not a regular file",
                            "an ignore file is never read through a symlink: copy it in place");
  DISTILL_ASSIGN(std::string text, core::read_file(file));
  DISTILL_ASSIGN(core::IgnorePatterns from_file, core::IgnorePatterns::parse(text, file));
  // Its lines come after the defaults, so a '!' line re-includes one of them.
  p.append(std::move(from_file));
  return p;
}

core::Status check_file_sources(const Spec& spec, bool allow_outside) {
  if (!spec.files.empty()) DISTILL_TRY(app_ignore_patterns(spec));
  if (allow_outside || (spec.files.empty() && spec.ca_certificates.empty()))
    return core::Status::Ok();
  DISTILL_ASSIGN(std::string root, core::resolve_path(spec.base_dir + "/"));
  for (const FileSpec& f : spec.files)
    DISTILL_TRY(check_within(root, fmt::format("{}:{}", spec.path, f.line),
                             fmt::format("src '{}'", f.src), f.src_path));
  // A CA file is read too, and any PEM block in it lands in the image.
  for (const std::string& cert : spec.ca_certificates)
    DISTILL_TRY(
        check_within(root, spec.path + ": ca_certificates", fmt::format("'{}'", cert), cert));
  return core::Status::Ok();
}

core::Result<std::vector<oci::FsEntry>> app_file_entries(const Spec& spec) {
  std::vector<oci::FsEntry> out;
  if (spec.files.empty()) return out;
  DISTILL_ASSIGN(core::IgnorePatterns context, app_ignore_patterns(spec));
  DISTILL_ASSIGN(std::string root, core::resolve_path(spec.base_dir + "/"));
  for (const FileSpec& f : spec.files) {
    std::string where = fmt::format("{}:{}", spec.path, f.line);
    std::string dst = f.dst.substr(1);  // image paths are relative to the root
    struct stat st {};
    if (::lstat(f.src_path.c_str(), &st) != 0)
      return core::make_error(where, fmt::format("files: {}: {}", f.src_path, std::strerror(errno)),
                              "check the entry's src");
    if (S_ISDIR(st.st_mode)) {
      while (!dst.empty() && dst.back() == '/') dst.pop_back();
      if (!dst.empty()) {
        auto d = oci::entry_from_host(f.src_path, dst);
        if (!d.ok()) return d.error().with_where(where);
        d->mode &= 0755;
        d->uid = f.uid;
        d->gid = f.gid;
        out.push_back(std::move(*d));
      }
      FolderCopy copy(spec, f, context);
      DISTILL_TRY(copy.copy(context_path(root, f.src_path), dst, out));
      continue;
    }
    // A file named as src is the user's explicit choice: no pattern drops it.
    if (!dst.empty() && dst.back() == '/') dst += f.src_path.substr(f.src_path.rfind('/') + 1);
    FolderCopy one(spec, f, context);
    DISTILL_ASSIGN(oci::FsEntry e, one.named(f.src_path, st, dst));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace distill::builder
