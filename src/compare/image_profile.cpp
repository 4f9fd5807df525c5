#include "compare/image_profile.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "core/lines.hpp"
#include "image/os_release.hpp"
#include "verify/elf_deps.hpp"
#include "verify/text_util.hpp"
#include "vuln/scan.hpp"
#include "vuln/severity.hpp"

namespace distill::compare {
namespace {

constexpr std::string_view kInfoDir = "var/lib/dpkg/info/";

// Image paths (normalised) a dpkg .list or .md5sums file names.
std::vector<std::string> listed_paths(std::string_view text, bool md5sums) {
  std::vector<std::string> out;
  for (std::string_view line : core::lines(text)) {
    if (md5sums) {
      // "<md5>  usr/bin/foo": the path starts after the two spaces.
      size_t sep = line.find("  ");
      if (sep == std::string_view::npos) continue;
      line = line.substr(sep + 2);
    }
    while (line.starts_with('/')) line.remove_prefix(1);
    if (line.empty() || line == ".") continue;
    out.emplace_back(line);
  }
  return out;
}

// The first file list the image has for `p`, and whether it is an md5sums file.
std::optional<std::pair<std::string_view, bool>> file_list_of(const image::RootfsView& fs,
                                                              const image::DpkgPackage& p) {
  std::vector<std::pair<std::string, bool>> candidates;
  if (p.database_file.starts_with(image::kDpkgStatusDir)) {
    candidates.emplace_back(p.database_file + ".md5sums", true);
  } else {
    std::string info(kInfoDir);
    for (const std::string& stem : {p.name + ":" + p.architecture, p.name}) {
      candidates.emplace_back(info + stem + ".list", false);
      candidates.emplace_back(info + stem + ".md5sums", true);
    }
  }
  for (const auto& [path, md5] : candidates) {
    const image::FileEntry* e = fs.find(path);
    if (e && e->content) return std::make_pair(std::string_view(*e->content), md5);
  }
  return std::nullopt;
}

// The entry a listed path names. Lists keep the package's own folders
// ("bin/hello") where a merged-/usr image has symlinks ("bin" -> "usr/bin"),
// so the folders are resolved; the file itself is not followed.
const image::FileEntry* find_listed(const image::RootfsView& fs, const std::string& path) {
  if (const image::FileEntry* e = fs.find(path)) return e;
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return nullptr;
  auto dir = fs.resolve(std::string_view(path).substr(0, slash));
  if (!dir.ok()) return nullptr;
  return fs.find((*dir)->path + path.substr(slash));
}

PackageSize size_of(const image::RootfsView& fs, const image::DpkgPackage& p) {
  PackageSize s{p.name, 0, 0, SizeSource::kUnknown};
  if (auto list = file_list_of(fs, p)) {
    s.source = SizeSource::kFileList;
    for (const auto& path : listed_paths(list->first, list->second)) {
      const image::FileEntry* e = find_listed(fs, path);
      if (!e || e->type != image::FileType::kRegular) continue;
      s.bytes += static_cast<uint64_t>(std::max<int64_t>(e->size, 0));
      ++s.files;
    }
  } else if (p.installed_size_kib) {
    s.source = SizeSource::kInstalledSize;
    s.bytes = *p.installed_size_kib * 1024;
  }
  return s;
}

bool keep_for_profile(std::string_view path) {
  return verify::lint_keep_content(path) || image::is_dpkg_database_file(path) ||
         image::is_os_release_file(path) || is_package_file_list(path);
}

// Lint already classifies shells, package managers, interpreters and
// setuid files: the profile lists what it found rather than re-deciding.
void take_lint_paths(ImageProfile& p) {
  static const std::map<std::string_view, std::vector<std::string> ImageProfile::*> kLists = {
      {"DISTILL-0001", &ImageProfile::shells},
      {"DISTILL-0002", &ImageProfile::package_managers},
      {"DISTILL-0003", &ImageProfile::interpreters},
      {"CIS-DI-0008", &ImageProfile::setuid}};
  for (const auto& f : p.lint) {
    auto it = kLists.find(f.id);
    if (it != kLists.end() && !f.path.empty()) (p.*(it->second)).push_back(f.path);
  }
  for (auto list : {&ImageProfile::shells, &ImageProfile::package_managers,
                    &ImageProfile::interpreters, &ImageProfile::setuid}) {
    auto& v = p.*list;
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
}

core::Status count_vulnerabilities(ImageProfile& p, const std::optional<image::OsRelease>& os,
                                   const vuln::AdvisoryLookup& advisories) {
  DISTILL_ASSIGN(vuln::ImageMatch matched, vuln::match_image(os, p.packages, advisories));
  std::map<std::string, size_t> counts;
  for (auto s : {vuln::Severity::kCritical, vuln::Severity::kHigh, vuln::Severity::kMedium,
                 vuln::Severity::kLow, vuln::Severity::kNegligible, vuln::Severity::kUnknown})
    counts[std::string(vuln::severity_name(s))] = 0;
  for (const auto& f : matched.findings) ++counts[std::string(vuln::severity_name(f.severity))];
  p.vulnerabilities = std::move(counts);
  return core::Status::Ok();
}

}  // namespace

std::string_view size_source_name(SizeSource s) {
  switch (s) {
    case SizeSource::kFileList:
      return "files";
    case SizeSource::kInstalledSize:
      return "installed-size";
    case SizeSource::kUnknown:
      break;
  }
  return "unknown";
}

size_t ImageProfile::lint_count(verify::LintLevel level) const {
  return static_cast<size_t>(
      std::count_if(lint.begin(), lint.end(), [&](const auto& f) { return f.level == level; }));
}

bool is_package_file_list(std::string_view path) {
  bool list = path.ends_with(".list") || path.ends_with(".md5sums");
  bool in_info = path.starts_with(kInfoDir) && path.find('/', kInfoDir.size()) == path.npos;
  bool in_status_d = path.starts_with(image::kDpkgStatusDir) && path.ends_with(".md5sums");
  return (list && in_info) || in_status_d;
}

std::vector<PackageSize> package_sizes(const image::RootfsView& fs,
                                       const std::vector<image::DpkgPackage>& packages) {
  std::vector<PackageSize> out;
  for (const auto& p : packages) out.push_back(size_of(fs, p));
  std::sort(out.begin(), out.end(), [](const PackageSize& a, const PackageSize& b) {
    return std::tie(b.bytes, a.name) < std::tie(a.bytes, b.name);
  });
  return out;
}

uint64_t content_bytes(const image::RootfsView& fs) {
  uint64_t total = 0;
  for (const auto& [path, e] : fs.entries()) {
    if (e.type != image::FileType::kRegular) continue;
    // A link written with its target shares the target's inode; one whose
    // target a later layer replaced is an inode of its own.
    if (!e.hardlink_to.empty()) {
      const image::FileEntry* target = fs.find(e.hardlink_to);
      if (target && target->layer == e.layer) continue;
    }
    total += static_cast<uint64_t>(std::max<int64_t>(e.size, 0));
  }
  return total;
}

core::Result<ImageProfile> profile_image(image::ImageSource& source, const oci::PlatformImage& img,
                                         const vuln::AdvisoryLookup* advisories) {
  const std::string& where = source.name().text;
  auto read = verify::read_rootfs_for_elf(source.reader(), img, keep_for_profile);
  if (!read.ok()) return read.error().with_where(where);
  const image::RootfsView& fs = *read;
  ImageProfile p;
  p.reference = where;
  p.platform = img.config.platform.str();
  for (const auto& l : fs.layers()) {
    p.compressed_size += l.descriptor.size;
    p.uncompressed_size += l.uncompressed_size;
  }
  p.layers = fs.layers().size();
  p.files = fs.entries().size();
  p.content_bytes = content_bytes(fs);
  for (const auto& [path, e] : fs.entries())
    p.executables += e.type == image::FileType::kRegular && (e.mode & 0111) != 0;
  auto packages = image::read_dpkg_packages(fs);
  if (!packages.ok()) return packages.error().with_where(where);
  p.packages = std::move(*packages);
  p.package_sizes = package_sizes(fs, p.packages);
  verify::LintInput in;
  in.fs = &fs;
  in.config = &img.config;
  in.ref_names = img.ref_names;
  p.lint = verify::lint_image(in);
  take_lint_paths(p);
  if (advisories) {
    auto os = image::read_os_release(fs);
    if (!os.ok()) return os.error().with_where(where);
    auto counted = count_vulnerabilities(p, *os, *advisories);
    if (!counted.ok()) return counted.error().with_where(where);
  }
  return p;
}

}  // namespace distill::compare
