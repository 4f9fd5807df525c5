#include "builder/layering.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "debian/deb822.hpp"

namespace distill::builder {
namespace {

std::string_view lay_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Which package of the image satisfies one dependency group, or -1.
class LaySatisfier {
 public:
  explicit LaySatisfier(const std::vector<LayerPackage>& packages) {
    for (size_t i = 0; i < packages.size(); ++i) by_name_[packages[i].name] = static_cast<int>(i);
    // Providers in name order, so the choice never depends on the input order.
    std::map<std::string, std::set<std::pair<std::string, int>>> providers;
    for (size_t i = 0; i < packages.size(); ++i)
      for (const auto& v : packages[i].provides)
        providers[v].insert({packages[i].name, static_cast<int>(i)});
    for (const auto& [v, set] : providers) provider_[v] = set.begin()->second;
  }
  int find(std::string_view name) const {
    if (auto it = by_name_.find(std::string(name)); it != by_name_.end()) return it->second;
    if (auto it = provider_.find(std::string(name)); it != provider_.end()) return it->second;
    return -1;
  }
  int pick(const debian::Alternatives& group) const {
    for (const auto& r : group)
      if (int i = find(r.name); i >= 0) return i;
    return -1;
  }

 private:
  std::map<std::string, int> by_name_;
  std::map<std::string, int> provider_;
};

bool lay_is_dir(const Rootfs& fs, const std::string& path) {
  const oci::FsEntry* e = fs.find(path);
  return e && e->type == oci::EntryType::kDirectory;
}

// Adds every folder above `path` that the tree holds.
void lay_add_parents(const Rootfs& fs, const std::string& path, std::set<std::string>& out) {
  for (auto slash = path.rfind('/'); slash != std::string::npos && slash > 0;
       slash = path.rfind('/', slash - 1)) {
    std::string parent = path.substr(0, slash);
    if (lay_is_dir(fs, parent) && !out.insert(parent).second) break;
  }
}

}  // namespace

std::string status_path(const std::string& package) {
  return "var/lib/dpkg/status.d/" + package;
}

core::Result<LayerPackage> layer_package(const std::string& name, const std::string& control) {
  LayerPackage p;
  p.name = name;
  p.source = name;
  DISTILL_ASSIGN(auto doc, debian::Deb822Document::parse(control, name + " control"));
  if (doc.paragraphs().empty()) return p;
  const debian::Paragraph& para = doc.paragraphs().front();
  std::string_view source = lay_trimmed(para.get_or("Source"));
  if (auto paren = source.find('('); paren != std::string_view::npos)
    source = lay_trimmed(source.substr(0, paren));
  if (!source.empty()) p.source = std::string(source);
  std::string_view size = lay_trimmed(para.get_or("Installed-Size"));
  uint64_t kib = 0;
  std::from_chars(size.data(), size.data() + size.size(), kib);
  p.bytes = kib * 1024;
  for (const char* field : {"Pre-Depends", "Depends"}) {
    DISTILL_ASSIGN(auto groups, debian::parse_relations(para.get_or(field), name + " " + field));
    p.depends.insert(p.depends.end(), groups.begin(), groups.end());
  }
  DISTILL_ASSIGN(auto provides,
                 debian::parse_relations(para.get_or("Provides"), name + " Provides"));
  for (const auto& group : provides)
    for (const auto& r : group) p.provides.push_back(r.name);
  return p;
}

void judge_packages(const Rootfs& fs, std::vector<LayerPackage>& packages) {
  for (auto& p : packages) {
    if (fs.conflicted_packages().count(p.name)) p.clean = false;
    auto it = fs.package_paths().find(p.name);
    if (it == fs.package_paths().end()) continue;
    std::set<std::string> own(it->second.begin(), it->second.end());
    for (const auto& path : it->second) {
      const oci::FsEntry* e = fs.find(path);
      // Changed or removed since the package was added, or a hard link to a
      // file of another package (a layer's links stay inside it).
      if (!e || fs.changed().count(path) ||
          (e->type == oci::EntryType::kHardlink && !own.count(e->link_target))) {
        p.clean = false;
        break;
      }
    }
  }
}

std::vector<int> preset_levels(const std::vector<LayerPackage>& packages,
                               const std::vector<std::vector<std::string>>& level_roots) {
  std::vector<int> level(packages.size(), -1);
  LaySatisfier sat(packages);
  for (size_t k = 0; k < level_roots.size(); ++k) {
    std::vector<int> todo;
    auto reach = [&](int i) {
      if (i < 0 || level[i] >= 0) return;
      level[i] = static_cast<int>(k);
      todo.push_back(i);
    };
    for (const auto& root : level_roots[k]) reach(sat.find(root));
    while (!todo.empty()) {
      int i = todo.back();
      todo.pop_back();
      for (const auto& group : packages[i].depends) reach(sat.pick(group));
    }
  }
  return level;
}

std::vector<PackageLayer> plan_package_layers(const std::vector<LayerPackage>& packages,
                                              const std::vector<int>& levels,
                                              const std::vector<std::string>& level_names,
                                              uint32_t max_layers) {
  std::vector<PackageLayer> candidates;
  for (size_t k = 0; k < level_names.size(); ++k) {
    PackageLayer layer{level_names[k], {}};
    for (size_t i = 0; i < packages.size(); ++i)
      if (packages[i].clean && levels[i] == static_cast<int>(k))
        layer.packages.push_back(packages[i].name);
    if (!layer.packages.empty()) candidates.push_back(std::move(layer));
  }
  struct Group {
    uint64_t bytes = 0;
    std::vector<std::string> packages;
  };
  std::map<std::string, Group> groups;
  for (size_t i = 0; i < packages.size(); ++i) {
    bool levelled = levels[i] >= 0 && static_cast<size_t>(levels[i]) < level_names.size();
    if (!packages[i].clean || levelled) continue;
    Group& g = groups[packages[i].source];
    g.bytes += packages[i].bytes;
    g.packages.push_back(packages[i].name);
  }
  std::vector<std::pair<std::string, Group>> by_size(groups.begin(), groups.end());
  std::stable_sort(by_size.begin(), by_size.end(),
                   [](const auto& a, const auto& b) { return a.second.bytes > b.second.bytes; });
  for (auto& [source, g] : by_size) candidates.push_back({source, std::move(g.packages)});
  size_t budget = std::max<uint32_t>(max_layers, 1);
  if (candidates.size() > budget) {
    PackageLayer other{"other", {}};
    for (size_t i = budget - 1; i < candidates.size(); ++i)
      other.packages.insert(other.packages.end(), candidates[i].packages.begin(),
                            candidates[i].packages.end());
    candidates.resize(budget - 1);
    candidates.push_back(std::move(other));
  }
  for (auto& layer : candidates) std::sort(layer.packages.begin(), layer.packages.end());
  return candidates;
}

std::vector<PackageLayer> package_layers(const Spec& spec, const Preset& preset,
                                         const debian::Distro& distro,
                                         const std::vector<LayerPackage>& packages) {
  if (spec.layering.strategy == LayeringStrategy::kSingle) return {};
  std::vector<std::vector<std::string>> roots;
  for (const auto& name : preset.lineage) {
    auto level = find_preset(name, distro);
    roots.push_back(level.ok() ? level->roots : std::vector<std::string>{});
  }
  std::vector<int> levels = preset_levels(packages, roots);
  return plan_package_layers(packages, levels, preset.lineage, spec.layering.max_layers);
}

std::vector<LayerContents> split_rootfs(Rootfs& fs, const std::vector<PackageLayer>& layers) {
  std::vector<std::set<std::string>> claimed(layers.size());
  std::set<std::string> in_packages;
  for (size_t i = 0; i < layers.size(); ++i) {
    std::set<std::string>& paths = claimed[i];
    for (const auto& name : layers[i].packages) {
      if (auto it = fs.package_paths().find(name); it != fs.package_paths().end())
        for (const auto& p : it->second)
          if (fs.contains(p)) paths.insert(p);
      for (std::string p : {status_path(name), status_path(name) + ".md5sums"})
        if (fs.contains(p)) paths.insert(p);
    }
    std::set<std::string> parents;
    for (const auto& p : paths) lay_add_parents(fs, p, parents);
    paths.insert(parents.begin(), parents.end());
    in_packages.insert(paths.begin(), paths.end());
  }
  // The image's own layer: what no package layer holds, the folders above it
  // and the targets of its hard links.
  std::set<std::string> own;
  for (const auto& p : fs.paths())
    if (!in_packages.count(p)) own.insert(p);
  std::set<std::string> extra;
  for (const auto& p : own) {
    lay_add_parents(fs, p, extra);
    const oci::FsEntry* e = fs.find(p);
    if (e->type == oci::EntryType::kHardlink && !own.count(e->link_target)) {
      extra.insert(e->link_target);
      lay_add_parents(fs, e->link_target, extra);
    }
  }
  own.insert(extra.begin(), extra.end());
  claimed.push_back(std::move(own));
  std::map<std::string, int> claims;  // path -> how many layers hold it
  for (const auto& paths : claimed)
    for (const auto& p : paths) ++claims[p];

  std::vector<LayerContents> out;
  for (size_t i = 0; i < claimed.size(); ++i) {
    LayerContents layer;
    if (i < layers.size()) {
      layer.name = layers[i].name;
      layer.packages = layers[i].packages;
    } else {
      layer.name = "image";
      std::set<std::string> layered;
      for (const auto& l : layers) layered.insert(l.packages.begin(), l.packages.end());
      for (const auto& [name, paths] : fs.package_paths())
        if (!layered.count(name)) layer.packages.push_back(name);
    }
    for (const auto& p : claimed[i]) {
      // A path held by one layer moves out of the tree; one held by several
      // (folders, a file two packages ship alike) is copied until the last.
      if (--claims[p] > 0) {
        if (const oci::FsEntry* e = fs.find(p)) layer.entries.push_back(*e);
      } else if (auto e = fs.take(p)) {
        layer.entries.push_back(std::move(*e));
      }
    }
    out.push_back(std::move(layer));
  }
  return out;
}

}  // namespace distill::builder
