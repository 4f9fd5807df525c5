#include "debian/lockfile.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/json.hpp"
#include "core/sha256.hpp"
#include "debian/package_name.hpp"

namespace distill::debian {
namespace {

using nlohmann::json;

json index_json(const LockedIndex& i) {
  return {{"suite", i.suite}, {"component", i.component}, {"path", i.path}, {"sha256", i.sha256}};
}

json package_json(const LockedPackage& p) {
  return {{"name", p.name},   {"version", p.version},   {"architecture", p.architecture},
          {"suite", p.suite}, {"filename", p.filename}, {"sha256", p.sha256},
          {"size", p.size}};
}

json packages_json(std::vector<LockedPackage> pkgs) {
  std::sort(pkgs.begin(), pkgs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  json out = json::array();
  for (const auto& p : pkgs) out.push_back(package_json(p));
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// Pool paths come from a file users may edit: refuse anything that could
// escape the mirror root or the cache when joined to a URL or a path.
bool safe_relative_path(std::string_view p) {
  if (p.empty() || p.front() == '/' || p.find('\\') != std::string_view::npos) return false;
  if (p.find("://") != std::string_view::npos || p.find('?') != std::string_view::npos)
    return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    std::string_view seg = p.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    start = end + 1;
  }
  return true;
}

core::Error bad(const std::string& where, const std::string& what) {
  return core::make_error(where, what, "regenerate it with 'distill lock'");
}

core::Result<LockedPackage> parse_package(const json& j, const std::string& where) {
  LockedPackage p;
  p.name = j.at("name").get<std::string>();
  p.version = j.at("version").get<std::string>();
  p.architecture = j.at("architecture").get<std::string>();
  p.suite = j.at("suite").get<std::string>();
  p.filename = j.at("filename").get<std::string>();
  p.sha256 = j.at("sha256").get<std::string>();
  p.size = j.at("size").get<uint64_t>();
  if (auto id = check_package_id(where, p.name, p.version, p.architecture); !id.ok())
    return bad(where, id.error().what);
  if (!core::is_sha256_hex(p.sha256)) return bad(where, p.name + ": sha256 is not 64 hex digits");
  if (!safe_relative_path(p.filename))
    return bad(where, p.name + ": unsafe filename '" + p.filename + "'");
  return p;
}

}  // namespace

std::string Lockfile::to_json() const {
  json root;
  root["version"] = kFormatVersion;
  root["distro"] = distro;
  root["request"] = {{"packages", sorted(packages)}, {"exclude", sorted(exclude)}};
  if (!base.empty()) root["request"]["base"] = base;
  json archs_json = json::object();
  for (const auto& [arch, locked] : archs) {
    std::vector<LockedIndex> indices = locked.indices;
    std::sort(indices.begin(), indices.end(), [](const auto& a, const auto& b) {
      return std::tie(a.suite, a.component, a.path) < std::tie(b.suite, b.component, b.path);
    });
    json ij = json::array();
    for (const auto& i : indices) ij.push_back(index_json(i));
    archs_json[arch] = {{"indices", ij}, {"packages", packages_json(locked.packages)}};
    if (!locked.extract.empty()) archs_json[arch]["extract"] = packages_json(locked.extract);
  }
  root["archs"] = archs_json;
  // nlohmann's object is a std::map: keys come out sorted.
  return root.dump(2) + "\n";
}

core::Result<Lockfile> Lockfile::parse(std::string_view text, const std::string& where) {
  auto parsed = core::parse_json(text);
  if (!parsed.ok() || !parsed->is_object()) return bad(where, "not valid JSON");
  json& root = *parsed;
  try {
    int version = root.at("version").get<int>();
    if (version != kFormatVersion)
      return bad(where, "unsupported lockfile version " + std::to_string(version));
    Lockfile lock;
    lock.distro = root.at("distro").get<std::string>();
    lock.packages = root.at("request").at("packages").get<std::vector<std::string>>();
    lock.exclude = root.at("request").at("exclude").get<std::vector<std::string>>();
    lock.base = root.at("request").value("base", "");
    for (const auto& [arch, aj] : root.at("archs").items()) {
      LockedArch locked;
      for (const auto& ij : aj.at("indices"))
        locked.indices.push_back(
            {ij.at("suite").get<std::string>(), ij.at("component").get<std::string>(),
             ij.at("path").get<std::string>(), ij.at("sha256").get<std::string>()});
      for (const auto& pj : aj.at("packages")) {
        DISTILL_ASSIGN(LockedPackage p, parse_package(pj, where));
        locked.packages.push_back(std::move(p));
      }
      if (aj.contains("extract")) {
        for (const auto& pj : aj.at("extract")) {
          DISTILL_ASSIGN(LockedPackage p, parse_package(pj, where));
          locked.extract.push_back(std::move(p));
        }
      }
      lock.archs[arch] = std::move(locked);
    }
    return lock;
  } catch (const json::exception& e) {
    return bad(where, std::string("malformed: ") + e.what());
  }
}

}  // namespace distill::debian
