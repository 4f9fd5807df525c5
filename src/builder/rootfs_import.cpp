#include "builder/rootfs_import.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <map>
#include <memory>
#include <utility>

#include "core/decompress.hpp"
#include "core/fd_io.hpp"
#include "core/temp_dir.hpp"
#include "core/unique_fd.hpp"
#include "debian/solve.hpp"
#include "oci/archive_util.hpp"
#include "oci/built_image.hpp"
#include "oci/content_pack.hpp"
#include "oci/fs_entry.hpp"
#include "oci/image.hpp"
#include "oci/image_config.hpp"
#include "oci/layer_writer.hpp"
#include "oci/platform.hpp"
#include "oci/tar_entry_reader.hpp"
#include "registry/reference.hpp"
#include "transport/copy.hpp"

namespace distill::builder {
namespace {

// A member name as a layer path: "./etc/" and "/etc" both become "etc"; ""
// for the root itself. Unsafe names are errors.
core::Result<std::string> member_path(const oci::TarEntryReader& tar, std::string_view name) {
  while (name.starts_with("./") || name.starts_with('/'))
    name.remove_prefix(name.starts_with('/') ? 1 : 2);
  if (name.empty() || name == ".") return std::string();
  auto p = oci::normalize_layer_path(name);
  if (!p.ok())
    return tar.member_error(p.error().what, "refusing a name that could escape the root");
  return *p;
}

struct ReadState {
  std::map<std::string, oci::FsEntry> entries;  // last member of a name wins
  std::vector<std::string> dropped;
};

// Regular files' content goes to one content pack in the scratch folder: a
// file per member cost a create, a truncate and an unlink each (3,890 of
// them on a 780 MB root filesystem), a third of the import's time.
core::Status read_member(oci::TarEntryReader& tar, const oci::TarMember& m, oci::ContentPack& pack,
                         ReadState& st) {
  DISTILL_ASSIGN(std::string path, member_path(tar, m.name));
  if (path.empty()) return core::Status::Ok();
  oci::FsEntry e;
  e.path = path;
  e.mode = m.mode;
  e.uid = m.uid;
  e.gid = m.gid;
  e.mtime = m.mtime;
  e.xattrs = m.xattrs;
  switch (m.type) {
    case oci::TarType::kHardlink: {
      e.type = oci::EntryType::kHardlink;
      DISTILL_ASSIGN(e.link_target, member_path(tar, m.link));
      break;
    }
    case oci::TarType::kRegular: {
      e.type = oci::EntryType::kRegular;
      DISTILL_ASSIGN(e.source_range, tar.pack_content(pack));
      e.source_path = pack.path();
      break;
    }
    case oci::TarType::kDirectory:
      e.type = oci::EntryType::kDirectory;
      break;
    case oci::TarType::kSymlink:
      e.type = oci::EntryType::kSymlink;
      e.link_target = m.link;
      break;
    default:  // devices, FIFOs, sockets: the runtime provides /dev
      st.dropped.push_back(path);
      return core::Status::Ok();
  }
  st.entries[path] = std::move(e);
  return core::Status::Ok();
}

core::Result<ReadState> read_rootfs_tar(const std::string& tar, const std::string& scratch) {
  oci::ScopedUtf8Locale utf8;
  DISTILL_TRY(utf8.status());
  oci::ArchiveReader a(archive_read_new());
  if (!a) return core::make_error(tar, "cannot create an archive reader");
  DISTILL_TRY(core::enable_builtin_filters(a.get(), tar));
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), tar.c_str(), oci::kArchiveChunk) != ARCHIVE_OK)
    return core::make_error(tar, oci::archive_error(a.get()), "expected a tar, maybe compressed");
  ReadState st;
  DISTILL_ASSIGN(oci::ContentPack pack, oci::ContentPack::create(scratch));
  oci::TarEntryReader members(a.get(), tar);
  oci::TarMember m;
  for (;;) {
    DISTILL_ASSIGN(bool more, members.next(m));
    if (!more) break;
    DISTILL_TRY(read_member(members, m, pack, st));
  }
  DISTILL_TRY(pack.finish());
  // A hard link to a dropped or missing member would make the layer invalid.
  for (auto& [path, e] : st.entries)
    if (e.type == oci::EntryType::kHardlink && !st.entries.count(e.link_target))
      return core::make_error(tar + ": member " + path, "is a hard link to " + e.link_target +
                                                            ", which the tar does not hold");
  return st;
}

// The container config of the one image `ref` selects.
core::Result<oci::ContainerConfig> config_of(const std::string& ref, const std::string& platform,
                                             const transport::Options& transport) {
  DISTILL_ASSIGN(auto source, transport::open_image(ref, transport));
  DISTILL_ASSIGN(auto selected, source->select_platform(platform));
  if (selected.size() != 1)
    return core::make_error("--config-from " + ref,
                            fmt::format("selects {} images", selected.size()),
                            "pick one with --platform or a tag");
  return selected.front()->config.config;
}

core::Result<std::string> write_image(const ImportOptions& o, const oci::Image& image,
                                      const std::vector<std::string>& names) {
  DISTILL_ASSIGN(auto built, oci::BuiltImage::create({image}));
  transport::Destination dst{o.format, o.output, {}};
  DISTILL_ASSIGN(transport::CopyResult r,
                 transport::write_image(*built, built->top(), dst,
                                        transport::names_for_tags(o.format, names), {}));
  return r.top.digest.str();
}

}  // namespace

core::Result<ImportReport> import_rootfs(const std::string& tar_path, const ImportOptions& o) {
  std::vector<std::string> names;
  for (const std::string& tag : o.tags) {
    DISTILL_ASSIGN(std::string name, registry::normalize_image_name(tag));
    names.push_back(std::move(name));
  }
  std::optional<oci::ContainerConfig> config = o.config;
  if (!config && !o.config_from.empty()) {
    DISTILL_ASSIGN(config, config_of(o.config_from, o.platform, o.transport));
  }
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
  if (config)
    image.config.config = *config;
  else
    image.config.config.env = {"PATH=" + std::string(oci::kDefaultPath)};
  image.config.created = o.source_date_epoch;
  image.config.history.push_back({"distill import", "imported from a root filesystem tar", false});
  image.layers = {blob};
  DISTILL_ASSIGN(report.digest, write_image(o, image, names));
  return report;
}

void print_import_report(const ImportReport& r, const std::string& output, std::FILE* out,
                         std::FILE* err) {
  for (const auto& d : r.dropped)
    std::fprintf(err, "distill: note: /%s: device node, FIFO or socket dropped\n", d.c_str());
  std::fprintf(err, "distill: imported %zu entries into %s\n", r.members, output.c_str());
  std::fprintf(out, "%s\n", r.digest.c_str());
}

}  // namespace distill::builder
