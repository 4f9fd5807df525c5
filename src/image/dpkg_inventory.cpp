#include "image/dpkg_inventory.hpp"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "core/text.hpp"
#include "debian/deb822.hpp"

namespace distill::image {
namespace {

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<uint64_t> parse_kib(std::string_view s) {
  s = core::trim_blanks(s);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "foo (1.2-3)" -> foo, 1.2-3; "foo" -> foo, the binary's version.
void set_source(DpkgPackage& p, std::string_view field) {
  field = core::trim_blanks(field);
  p.source = p.name;
  p.source_version = p.version;
  if (field.empty()) return;
  size_t open = field.find('(');
  std::string_view name = core::trim_blanks(field.substr(0, open));
  if (!name.empty()) p.source = std::string(name);
  if (open == std::string_view::npos) return;
  size_t close = field.find(')', open);
  std::string_view version = core::trim_blanks(field.substr(
      open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1));
  if (!version.empty()) p.source_version = std::string(version);
}

bool is_hidden_or_md5sums(std::string_view name) {
  return name.empty() || name.starts_with(".") || name.ends_with(".md5sums");
}

}  // namespace

bool dpkg_status_installed(std::string_view status) {
  auto w = words(status);
  if (w.size() != 3 || w[1] != "ok") return false;
  return w[2] == "installed" || w[2] == "triggers-pending" || w[2] == "triggers-awaited";
}

core::Result<std::vector<DpkgPackage>> parse_dpkg_database(std::string text, std::string_view where,
                                                           DpkgDatabase kind) {
  DISTILL_ASSIGN(debian::Deb822Document doc, debian::Deb822Document::parse(std::move(text), where));
  std::vector<DpkgPackage> out;
  for (const auto& para : doc.paragraphs()) {
    auto status = para.get("Status");
    if (status ? !dpkg_status_installed(*status) : kind == DpkgDatabase::kStatusFile) continue;
    DpkgPackage p;
    p.name = std::string(core::trim_blanks(para.get_or("Package")));
    p.version = std::string(core::trim_blanks(para.get_or("Version")));
    std::string at = std::string(where) + ":" + std::to_string(para.line);
    if (p.name.empty())
      return core::make_error(at, "an installed package has no Package field",
                              "the dpkg database is corrupt");
    if (p.version.empty())
      return core::make_error(at, "package '" + p.name + "' has no Version field",
                              "the dpkg database is corrupt");
    p.architecture = std::string(core::trim_blanks(para.get_or("Architecture")));
    set_source(p, para.get_or("Source"));
    if (auto size = para.get("Installed-Size")) p.installed_size_kib = parse_kib(*size);
    if (status) p.status = std::string(core::trim_blanks(*status));
    p.database_file = std::string(where);
    out.push_back(std::move(p));
  }
  return out;
}

bool is_dpkg_database_file(std::string_view path) {
  if (path == kDpkgStatusFile) return true;
  if (!path.starts_with(kDpkgStatusDir) || path.size() <= kDpkgStatusDir.size() + 1 ||
      path[kDpkgStatusDir.size()] != '/')
    return false;
  std::string_view name = path.substr(kDpkgStatusDir.size() + 1);
  return name.find('/') == std::string_view::npos && !is_hidden_or_md5sums(name);
}

core::Result<std::vector<DpkgPackage>> read_dpkg_packages(const RootfsView& fs) {
  std::vector<DpkgPackage> all;
  auto add = [&](std::string_view path, DpkgDatabase kind) -> core::Status {
    DISTILL_ASSIGN(std::string_view text, fs.read_file(path));
    DISTILL_ASSIGN(auto packages, parse_dpkg_database(std::string(text), path, kind));
    all.insert(all.end(), std::make_move_iterator(packages.begin()),
               std::make_move_iterator(packages.end()));
    return core::Status::Ok();
  };
  // A path that does not resolve (missing, dangling) simply has no packages.
  auto status = fs.resolve(kDpkgStatusFile);
  if (status.ok() && (*status)->type == FileType::kRegular)
    DISTILL_TRY(add(kDpkgStatusFile, DpkgDatabase::kStatusFile));
  std::string dir(kDpkgStatusDir);
  auto resolved = fs.resolve(dir);
  if (resolved.ok() && (*resolved)->type == FileType::kDirectory) dir = (*resolved)->path;
  for (const FileEntry* e : fs.list(dir)) {
    std::string_view name = std::string_view(e->path).substr(dir.size() + 1);
    if (e->type != FileType::kRegular || is_hidden_or_md5sums(name)) continue;
    DISTILL_TRY(add(e->path, DpkgDatabase::kStatusDir));
  }
  auto key = [](const DpkgPackage& p) { return std::tie(p.name, p.architecture, p.version); };
  std::stable_sort(all.begin(), all.end(),
                   [&](const auto& a, const auto& b) { return key(a) < key(b); });
  all.erase(std::unique(all.begin(), all.end(),
                        [&](const auto& a, const auto& b) { return key(a) == key(b); }),
            all.end());
  return all;
}

}  // namespace distill::image
