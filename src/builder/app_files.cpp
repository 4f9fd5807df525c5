#include "builder/app_files.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/file_util.hpp"

namespace distill::builder {
namespace {

namespace fs = std::filesystem;

core::Result<oci::FsEntry> host_entry(const FileSpec& f, const std::string& host,
                                      std::string image_path) {
  DISTILL_ASSIGN(oci::FsEntry e, oci::entry_from_host(host, std::move(image_path)));
  if (e.type == oci::EntryType::kRegular)
    e.mode = f.mode ? *f.mode : (e.mode & 0755);
  else if (e.type == oci::EntryType::kDirectory)
    e.mode &= 0755;
  e.uid = f.uid;
  e.gid = f.gid;
  return e;
}

core::Status add_tree(const FileSpec& f, const std::string& root, const std::string& dst,
                      std::vector<oci::FsEntry>& out) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) return core::make_error(root, ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return core::make_error(root, ec.message());
    std::string rel = fs::relative(it->path(), root, ec).generic_string();
    if (ec) return core::make_error(it->path().string(), ec.message());
    DISTILL_ASSIGN(oci::FsEntry e,
                   host_entry(f, it->path().string(), dst.empty() ? rel : dst + "/" + rel));
    out.push_back(std::move(e));
  }
  return core::Status::Ok();
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

core::Status check_file_sources(const Spec& spec, bool allow_outside) {
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

core::Result<std::vector<oci::FsEntry>> app_file_entries(const std::vector<FileSpec>& files) {
  std::vector<oci::FsEntry> out;
  for (const FileSpec& f : files) {
    std::string where = fmt::format("files (line {})", f.line);
    std::string dst = f.dst.substr(1);  // image paths are relative to the root
    struct stat st {};
    if (::lstat(f.src_path.c_str(), &st) != 0)
      return core::make_error(f.src_path, "cannot read", "check the spec's files entry");
    if (S_ISDIR(st.st_mode)) {
      while (!dst.empty() && dst.back() == '/') dst.pop_back();
      if (!dst.empty()) {
        DISTILL_ASSIGN(oci::FsEntry d, host_entry(f, f.src_path, dst));
        out.push_back(std::move(d));
      }
      DISTILL_TRY(add_tree(f, f.src_path, dst, out));
      continue;
    }
    if (!dst.empty() && dst.back() == '/') dst += fs::path(f.src_path).filename().string();
    auto e = host_entry(f, f.src_path, dst);
    if (!e.ok()) return e.error().with_where(where);
    out.push_back(std::move(*e));
  }
  return out;
}

}  // namespace distill::builder
