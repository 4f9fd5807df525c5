#include "builder/rootfs_import.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <cstdio>
#include <map>
#include <memory>
#include <utility>

#include "core/temp_dir.hpp"
#include "debian/solve.hpp"
#include "oci/archive_util.hpp"
#include "oci/built_image.hpp"
#include "oci/fs_entry.hpp"
#include "oci/image.hpp"
#include "oci/image_config.hpp"
#include "oci/layer_writer.hpp"
#include "oci/platform.hpp"
#include "transport/copy.hpp"

namespace distill::builder {
namespace {

// A member name as a layer path: "./etc/" and "/etc" both become "etc"; ""
// for the root itself. Unsafe names are errors.
core::Result<std::string> member_path(const std::string& tar, const char* raw) {
  std::string_view name = raw ? raw : "";
  while (name.starts_with("./") || name.starts_with('/'))
    name.remove_prefix(name.starts_with('/') ? 1 : 2);
  if (name.empty() || name == ".") return std::string();
  auto p = oci::normalize_layer_path(name);
  if (!p.ok())
    return core::make_error(tar + ": member " + std::string(raw ? raw : ""), p.error().what,
                            "refusing a name that could escape the root");
  return *p;
}

// Copies the current member's bytes into a file of the scratch folder.
core::Result<std::string> spill(archive* a, const std::string& tar, const std::string& dir,
                                size_t n) {
  std::string path = fmt::format("{}/{}", dir, n);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f) return core::make_error(path, "cannot create a scratch file");
  std::string buf(1 << 16, '\0');
  while (true) {
    la_ssize_t got = archive_read_data(a, buf.data(), buf.size());
    if (got < 0) return core::make_error(tar, oci::archive_error(a), "the tar is corrupt");
    if (got == 0) break;
    if (std::fwrite(buf.data(), 1, static_cast<size_t>(got), f.get()) != static_cast<size_t>(got))
      return core::make_error(path, "cannot write a scratch file");
  }
  if (std::fflush(f.get()) != 0) return core::make_error(path, "cannot write a scratch file");
  return path;
}

void copy_xattrs(archive_entry* ae, oci::FsEntry& e) {
  archive_entry_xattr_reset(ae);
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(ae, &name, &value, &size) == ARCHIVE_OK)
    if (name) e.xattrs[name] = std::string(static_cast<const char*>(value), size);
}

struct ReadState {
  std::map<std::string, oci::FsEntry> entries;  // last member of a name wins
  std::vector<std::string> dropped;
};

core::Status read_member(archive* a, archive_entry* ae, const std::string& tar,
                         const std::string& scratch, ReadState& st) {
  DISTILL_ASSIGN(std::string path, member_path(tar, archive_entry_pathname(ae)));
  if (path.empty()) return core::Status::Ok();
  oci::FsEntry e;
  e.path = path;
  e.mode = archive_entry_perm(ae) & 07777;
  e.uid = static_cast<uint32_t>(archive_entry_uid(ae));
  e.gid = static_cast<uint32_t>(archive_entry_gid(ae));
  e.mtime = archive_entry_mtime(ae);
  copy_xattrs(ae, e);
  if (const char* hl = archive_entry_hardlink(ae)) {
    DISTILL_ASSIGN(std::string target, member_path(tar, hl));
    e.type = oci::EntryType::kHardlink;
    e.link_target = target;
  } else {
    switch (archive_entry_filetype(ae)) {
      case AE_IFREG: {
        e.type = oci::EntryType::kRegular;
        DISTILL_ASSIGN(e.source_path,
                       spill(a, tar, scratch, st.entries.size() + st.dropped.size()));
        break;
      }
      case AE_IFDIR:
        e.type = oci::EntryType::kDirectory;
        break;
      case AE_IFLNK:
        e.type = oci::EntryType::kSymlink;
        e.link_target = archive_entry_symlink(ae) ? archive_entry_symlink(ae) : "";
        break;
      default:
        st.dropped.push_back(path);
        return core::Status::Ok();
    }
  }
  st.entries[path] = std::move(e);
  return core::Status::Ok();
}

core::Result<ReadState> read_rootfs_tar(const std::string& tar, const std::string& scratch) {
  oci::ScopedUtf8Locale utf8;
  DISTILL_TRY(utf8.status());
  oci::ArchiveReader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), tar.c_str(), 1 << 16) != ARCHIVE_OK)
    return core::make_error(tar, oci::archive_error(a.get()), "expected a tar, maybe compressed");
  ReadState st;
  archive_entry* ae = nullptr;
  while (true) {
    int r = archive_read_next_header(a.get(), &ae);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return core::make_error(tar, oci::archive_error(a.get()), "the tar is corrupt or truncated");
    DISTILL_TRY(read_member(a.get(), ae, tar, scratch, st));
  }
  // A hard link to a dropped or missing member would make the layer invalid.
  for (auto& [path, e] : st.entries)
    if (e.type == oci::EntryType::kHardlink && !st.entries.count(e.link_target))
      return core::make_error(tar + ": member " + path, "is a hard link to " + e.link_target +
                                                            ", which the tar does not hold");
  return st;
}

core::Result<std::string> write_image(const ImportOptions& o, const oci::Image& image) {
  DISTILL_ASSIGN(auto built, oci::BuiltImage::create({image}));
  transport::Destination dst{o.format, o.output, {}};
  DISTILL_ASSIGN(transport::CopyResult r,
                 transport::write_image(*built, built->top(), dst,
                                        transport::names_for_tags(o.format, o.tags), {}));
  return r.top.digest.str();
}

}  // namespace

core::Result<ImportReport> import_rootfs(const std::string& tar_path, const ImportOptions& o) {
  DISTILL_ASSIGN(core::TempDir scratch, core::TempDir::create({}, "distill-import"));
  DISTILL_ASSIGN(ReadState st, read_rootfs_tar(tar_path, scratch.path()));
  ImportReport report;
  report.dropped = std::move(st.dropped);
  std::vector<oci::FsEntry> entries;
  for (auto& [path, e] : st.entries) entries.push_back(std::move(e));
  report.members = entries.size();
  oci::LayerOptions lo;
  lo.compression = o.compression;
  lo.source_date_epoch = o.source_date_epoch;
  DISTILL_ASSIGN(oci::LayerBlob blob,
                 oci::write_layer(std::move(entries), lo, scratch.path() + "/layer.blob"));
  oci::Image image;
  if (o.platform.empty()) {
    DISTILL_ASSIGN(image.config.platform, oci::platform_for_debian_arch(debian::host_arch()));
  } else {
    DISTILL_ASSIGN(image.config.platform, oci::parse_platform(o.platform));
  }
  if (o.config)
    image.config.config = *o.config;
  else
    image.config.config.env = {"PATH=" + std::string(oci::kDefaultPath)};
  image.config.created = o.source_date_epoch;
  image.config.history.push_back({"distill import", "imported from a root filesystem tar", false});
  image.layers = {blob};
  DISTILL_ASSIGN(report.digest, write_image(o, image));
  return report;
}

}  // namespace distill::builder
