#include "sbom/npm_packages.hpp"

#include <nlohmann/json.hpp>
#include <string>

#include "core/json.hpp"

namespace distill::sbom {
namespace {

constexpr std::string_view kNodeModules = "node_modules/";
constexpr int kMaxLockDepth = 64;
constexpr size_t kMaxNpmField = 1024;

std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string npm_string(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "";
  std::string s = it->get<std::string>();
  return s.size() > kMaxNpmField ? "" : s;
}

std::string npm_license(const nlohmann::json& j) {
  if (auto it = j.find("license"); it != j.end()) {
    if (it->is_string()) return npm_string(j, "license");
    if (it->is_object()) return npm_string(*it, "type");
  }
  if (auto it = j.find("licenses"); it != j.end() && it->is_array() && !it->empty()) {
    const nlohmann::json& first = it->front();
    if (first.is_string()) return first.get<std::string>().substr(0, kMaxNpmField);
    if (first.is_object()) return npm_string(first, "type");
  }
  return "";
}

// "a/node_modules/@s/b" -> "@s/b"; "" when the key names no package.
std::string name_from_key(std::string_view key) {
  size_t at = key.rfind(kNodeModules);
  if (at == std::string_view::npos) return "";
  if (at != 0 && key[at - 1] != '/') return "";
  return std::string(key.substr(at + kNodeModules.size()));
}

void add_lock_package(const std::string& name, const nlohmann::json& entry,
                      std::vector<LangPackage>& out) {
  std::string version = npm_string(entry, "version");
  if (name.empty() || version.empty()) return;
  // A version 1 alias or a git dependency spells a URL, not a version.
  if (version.find(':') != std::string::npos) return;
  LangPackage p;
  p.ecosystem = std::string(kNpm);
  p.name = name;
  p.version = std::move(version);
  p.license = npm_license(entry);
  out.push_back(std::move(p));
}

void walk_v1(const nlohmann::json& deps, int depth, std::vector<LangPackage>& out) {
  if (!deps.is_object() || depth > kMaxLockDepth) return;
  for (const auto& [name, entry] : deps.items()) {
    if (!entry.is_object()) continue;
    add_lock_package(name, entry, out);
    if (auto nested = entry.find("dependencies"); nested != entry.end())
      walk_v1(*nested, depth + 1, out);
  }
}

}  // namespace

bool is_npm_lockfile(std::string_view path) {
  if (path == "node_modules/.package-lock.json" ||
      path.ends_with("/node_modules/.package-lock.json"))
    return true;
  if (base_name(path) != "package-lock.json") return false;
  return !path.starts_with(kNodeModules) && path.find("/node_modules/") == std::string_view::npos;
}

bool is_npm_installed_manifest(std::string_view path) {
  if (base_name(path) != "package.json") return false;
  std::string_view dir = path.substr(0, path.size() - std::string_view("package.json").size());
  if (dir.empty()) return false;
  dir.remove_suffix(1);  // the '/'
  std::string_view name = base_name(dir);
  std::string_view parent = dir.substr(0, dir.size() - name.size());
  if (name.empty() || name.front() == '.') return false;
  // A scoped package: node_modules/@scope/name/package.json
  std::string_view scope_dir = parent;
  if (!scope_dir.empty()) scope_dir.remove_suffix(1);
  if (base_name(scope_dir).starts_with('@'))
    parent = parent.substr(0, parent.size() - base_name(scope_dir).size() - 1);
  return parent == kNodeModules || parent.ends_with("/node_modules/");
}

core::Result<std::vector<LangPackage>> parse_npm_lockfile(std::string_view text) {
  DISTILL_ASSIGN(nlohmann::json j, core::parse_json(text));
  if (!j.is_object()) return core::make_error("", "a package-lock.nlohmann::json is a JSON object");
  std::vector<LangPackage> out;
  if (auto packages = j.find("packages"); packages != j.end() && packages->is_object()) {
    for (const auto& [key, entry] : packages->items()) {
      if (key.empty() || !entry.is_object()) continue;
      if (auto link = entry.find("link"); link != entry.end() && link->is_boolean() && *link)
        continue;
      std::string name = npm_string(entry, "name");
      if (name.empty()) name = name_from_key(key);
      add_lock_package(name, entry, out);
    }
    return out;
  }
  if (auto deps = j.find("dependencies"); deps != j.end()) walk_v1(*deps, 0, out);
  return out;
}

std::optional<LangPackage> parse_npm_manifest(std::string_view text) {
  auto j = core::parse_json(text);
  if (!j.ok() || !j->is_object()) return std::nullopt;
  LangPackage p;
  p.ecosystem = std::string(kNpm);
  p.name = npm_string(*j, "name");
  p.version = npm_string(*j, "version");
  if (p.name.empty() || p.version.empty()) return std::nullopt;
  p.license = npm_license(*j);
  return p;
}

}  // namespace distill::sbom
