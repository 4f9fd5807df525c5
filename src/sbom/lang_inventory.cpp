#include "sbom/lang_inventory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "core/fd_io.hpp"
#include "core/json.hpp"
#include "core/lines.hpp"
#include "core/text.hpp"
#include "core/unique_fd.hpp"
#include "sbom/go_buildinfo.hpp"
#include "sbom/jar_packages.hpp"
#include "sbom/npm_packages.hpp"
#include "sbom/purl.hpp"
#include "sbom/python_dist.hpp"

namespace distill::sbom {
namespace {

constexpr std::string_view kDpkgInfo = "var/lib/dpkg/info/";
constexpr std::string_view kDpkgStatusD = "var/lib/dpkg/status.d/";
constexpr int64_t kMaxSpooledJar = int64_t{1} << 30;
// A Go binary is bigger than this; smaller executables are scripts.
constexpr int64_t kMinGoBinary = 4096;

bool is_dpkg_file_list(std::string_view path) {
  return (path.starts_with(kDpkgInfo) && path.ends_with(".list")) ||
         (path.starts_with(kDpkgStatusD) && path.ends_with(".md5sums"));
}

// Every path a dpkg file list names, without its leading '/'. A .list has
// one absolute path a line; an md5sums file "<md5>  <relative path>".
std::set<std::string, std::less<>> dpkg_owned_paths(const image::RootfsView& fs) {
  std::set<std::string, std::less<>> owned;
  for (const auto& [path, e] : fs.entries()) {
    if (!e.content || !is_dpkg_file_list(path)) continue;
    bool md5sums = path.ends_with(".md5sums");
    for (std::string_view line : core::lines(*e.content)) {
      if (md5sums) {
        size_t sep = line.find("  ");
        if (sep == std::string_view::npos) continue;
        line = line.substr(sep + 2);
      }
      while (!line.empty() && line.front() == '/') line.remove_prefix(1);
      if (!line.empty()) owned.emplace(line);
    }
  }
  return owned;
}

void add_found(std::vector<LangPackage>& out, std::optional<LangPackage> p,
               std::vector<std::string> locations) {
  if (!p) return;
  p->locations = std::move(locations);
  out.push_back(std::move(*p));
}

void read_kept_file(const image::RootfsView& fs, const std::string& path, const std::string& text,
                    std::vector<LangPackage>& out) {
  if (is_python_metadata_file(path)) {
    std::vector<std::string> locations = {path};
    std::string record = python_record_path(path);
    if (!record.empty() && fs.find(record)) locations.push_back(record);
    add_found(out, parse_python_metadata(text), std::move(locations));
  } else if (is_npm_lockfile(path)) {
    auto packages = parse_npm_lockfile(text);
    if (!packages.ok()) return;
    for (auto& p : *packages) add_found(out, std::move(p), {path});
  } else if (is_npm_installed_manifest(path)) {
    add_found(out, parse_npm_manifest(text), {path});
  }
}

// One package per purl, its locations merged.
std::vector<LangPackage> merge_by_purl(std::vector<LangPackage> found) {
  std::map<std::string, LangPackage> by_purl;
  for (auto& p : found) {
    std::string purl = lang_purl(p);
    auto [it, inserted] = by_purl.try_emplace(purl, p);
    if (inserted) continue;
    it->second.locations.insert(it->second.locations.end(), p.locations.begin(), p.locations.end());
    if (it->second.license.empty()) it->second.license = p.license;
  }
  std::vector<LangPackage> out;
  for (auto& [purl, p] : by_purl) {
    std::sort(p.locations.begin(), p.locations.end());
    p.locations.erase(std::unique(p.locations.begin(), p.locations.end()), p.locations.end());
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const LangPackage& a, const LangPackage& b) {
    return std::tie(a.ecosystem, a.name, a.version) < std::tie(b.ecosystem, b.name, b.version);
  });
  return out;
}

}  // namespace

bool is_lang_inventory_file(std::string_view path) {
  return is_python_metadata_file(path) || is_npm_lockfile(path) ||
         is_npm_installed_manifest(path) || is_dpkg_file_list(path);
}

core::Result<std::shared_ptr<LangProbe>> LangProbe::create() {
  DISTILL_ASSIGN(core::TempDir dir, core::TempDir::create({}, "distill-jar"));
  return std::shared_ptr<LangProbe>(new LangProbe(std::move(dir)));
}

core::Result<std::string> LangProbe::probe(const image::LayerEntry& entry,
                                           const image::ContentReader& content) {
  if (entry.size <= 0) return std::string();
  if (is_java_archive(entry.path)) return probe_jar(content);
  if ((entry.mode & 0111) && entry.size >= kMinGoBinary) return probe_go(content);
  return std::string();
}

core::Result<std::string> LangProbe::probe_jar(const image::ContentReader& content) {
  std::string spool = dir_.path() + "/archive.zip";
  std::vector<JarPackage> found;
  {
    core::UniqueFd fd(::open(spool.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) return core::make_error(spool, "cannot create a temporary file");
    int64_t written = 0;
    bool complete = true;
    DISTILL_TRY(content.copy([&](std::string_view chunk) -> core::Status {
      if (!complete) return core::Status::Ok();
      written += static_cast<int64_t>(chunk.size());
      if (written > kMaxSpooledJar || !core::write_all(fd.get(), chunk)) complete = false;
      return core::Status::Ok();
    }));
    if (complete) {
      auto jar = read_jar_file(spool);
      if (jar.ok()) found = std::move(*jar);
    }
  }
  ::unlink(spool.c_str());
  std::vector<LangPackage> packages;
  std::vector<std::string> inner;
  for (auto& jp : found) {
    packages.push_back(std::move(jp.package));
    inner.push_back(std::move(jp.inner_path));
  }
  return packages.empty() ? std::string() : lang_probe_text(packages, inner);
}

core::Result<std::string> LangProbe::probe_go(const image::ContentReader& content) {
  GoBuildInfoScanner scanner;
  DISTILL_TRY(content.copy([&](std::string_view chunk) -> core::Status {
    scanner.feed(chunk);
    return core::Status::Ok();
  }));
  if (!scanner.found()) return std::string();
  auto packages = go_packages(scanner.found()->first, scanner.found()->second);
  return lang_probe_text(packages, std::vector<std::string>(packages.size()));
}

std::string lang_probe_text(const std::vector<LangPackage>& packages,
                            const std::vector<std::string>& inner_paths) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < packages.size(); ++i) {
    nlohmann::json j = {
        {"e", packages[i].ecosystem}, {"n", packages[i].name}, {"v", packages[i].version}};
    if (i < inner_paths.size() && !inner_paths[i].empty()) j["i"] = inner_paths[i];
    list.push_back(std::move(j));
  }
  // Text from the file need not be UTF-8; replaced rather than refused.
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<LangPackage> parse_lang_probe(std::string_view text, std::string_view path) {
  std::vector<LangPackage> out;
  auto j = core::parse_json(text);
  if (!j.ok() || !j->is_array()) return out;
  for (const auto& item : *j) {
    if (!item.is_object()) continue;
    LangPackage p;
    auto e = core::json_string(item, "e"), n = core::json_string(item, "n"),
         v = core::json_string(item, "v"), i = core::json_string(item, "i");
    if (!e.ok() || !n.ok() || !v.ok() || !i.ok() || n->empty() || v->empty()) continue;
    p.ecosystem = *e;
    p.name = *n;
    p.version = *v;
    p.locations = {i->empty() ? std::string(path) : std::string(path) + "!/" + *i};
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<LangPackage> read_lang_packages(const image::RootfsView& fs) {
  auto owned = dpkg_owned_paths(fs);
  std::vector<LangPackage> found;
  for (const auto& [path, e] : fs.entries()) {
    if (e.type != image::FileType::kRegular || owned.contains(path)) continue;
    if (e.content && is_lang_inventory_file(path)) read_kept_file(fs, path, *e.content, found);
    if (!e.probe.empty())
      for (auto& p : parse_lang_probe(e.probe, path)) found.push_back(std::move(p));
  }
  return merge_by_purl(std::move(found));
}

}  // namespace distill::sbom
