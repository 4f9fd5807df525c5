#include "builder/early_layers.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "builder/layer_cache.hpp"
#include "builder/rootfs.hpp"
#include "builder/system_files.hpp"

namespace distill::builder {
namespace {

// The installed packages' layering facts, from their control files alone.
std::optional<std::vector<LayerPackage>> control_facts(const PlannedArch& plan,
                                                       const std::vector<std::string>& paths) {
  std::vector<LayerPackage> facts;
  for (size_t i = 0; i < plan.installs.size() && i < paths.size(); ++i) {
    const debian::PackageFetch& item = plan.installs[i];
    auto deb = debian::read_deb_control(paths[i], item.name);
    if (!deb.ok() ||
        !debian::check_identity(*deb, item.name, item.name, item.version, item.architecture).ok())
      return std::nullopt;
    auto p = layer_package(item.name, deb->control);
    if (!p.ok()) return std::nullopt;
    facts.push_back(std::move(*p));
  }
  return facts;
}

void add_with_parents(std::string path, std::unordered_set<std::string>& out) {
  while (out.insert(path).second) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return;
    path.resize(slash);
  }
}

}  // namespace

std::unique_ptr<EarlyLayers> EarlyLayers::plan(const Spec& spec, const Preset& preset,
                                               const debian::Distro& distro,
                                               const PlannedArch& plan,
                                               const std::vector<std::string>& paths,
                                               cache::Cache& cache, const BuildOptions& opts) {
  if (spec.layering.strategy == LayeringStrategy::kSingle) return nullptr;
  auto facts = control_facts(plan, paths);
  if (!facts) return nullptr;
  std::vector<PackageLayer> layers = package_layers(spec, preset, distro, *facts);
  if (layers.size() < 2) return nullptr;
  return std::unique_ptr<EarlyLayers>(
      new EarlyLayers(spec, preset, distro, plan, cache, opts, std::move(layers)));
}

EarlyLayers::EarlyLayers(const Spec& spec, const Preset& preset, const debian::Distro& distro,
                         const PlannedArch& plan, cache::Cache& cache, const BuildOptions& opts,
                         std::vector<PackageLayer> layers)
    : spec_(spec),
      preset_(preset),
      distro_(distro),
      plan_(plan),
      cache_(cache),
      opts_(opts),
      layers_(std::move(layers)),
      last_(layers_.size(), 0),
      read_(plan.installs.size(), nullptr),
      started_(layers_.size(), false) {
  for (size_t i = 0; i < plan.installs.size(); ++i) index_[plan.installs[i].name] = i;
  for (size_t l = 0; l < layers_.size(); ++l)
    for (const auto& name : layers_[l].packages) last_[l] = std::max(last_[l], index_.at(name));
}

void EarlyLayers::package_read(size_t i, const debian::DebContents& deb) {
  if (i >= read_.size()) return;  // an extract-only package
  std::vector<size_t> ready;
  size_t upto = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    read_[i] = &deb;
    while (prefix_ < read_.size() && read_[prefix_]) ++prefix_;
    for (size_t l = 0; l < layers_.size(); ++l)
      if (!started_[l] && last_[l] < prefix_) {
        started_[l] = true;
        ready.push_back(l);
      }
    upto = prefix_;
  }
  if (!ready.empty()) write(ready, upto);
}

void EarlyLayers::write(const std::vector<size_t>& ready, size_t upto) {
  // The packages before `upto` are read and stay put until the reads end.
  // Of those not in the ready layers, only the paths these layers' packages
  // ship (and the folders above) can decide an entry of theirs: the tree
  // holds those alone, so that it stays small however large the image.
  std::set<size_t> members;
  for (size_t l : ready)
    for (const auto& name : layers_[l].packages) members.insert(index_.at(name));
  std::unordered_set<std::string> wanted;
  for (size_t j : members) {
    for (const auto& e : read_[j]->entries)
      add_with_parents(Rootfs::merged_usr_path(e.path), wanted);
    add_with_parents(status_path(plan_.installs[j].name), wanted);
  }
  Rootfs fs(Rootfs::Options{spec_.keep_docs});
  for (size_t j = 0; j < upto; ++j) {
    const std::string& name = plan_.installs[j].name;
    if (members.count(j)) {
      add_installed(preset_, name, *read_[j], fs);
      continue;
    }
    debian::DebContents slim;
    for (const auto& e : read_[j]->entries)
      if (wanted.count(Rootfs::merged_usr_path(e.path))) slim.entries.push_back(e);
    add_installed(preset_, name, std::move(slim), fs);
  }
  fs.track_changes();
  if (!add_image_files(spec_, preset_, distro_, fs).ok()) return;
  trim_md5sums(fs);
  std::vector<PackageLayer> layers;
  for (size_t l : ready) {
    // A package the system files change belongs to the image's own layer.
    std::vector<LayerPackage> judged;
    for (const auto& name : layers_[l].packages) {
      judged.emplace_back();
      judged.back().name = name;
    }
    judge_packages(fs, judged);
    PackageLayer layer{layers_[l].name, {}};
    for (const auto& p : judged)
      if (p.clean) layer.packages.push_back(p.name);
    layers.push_back(std::move(layer));
  }
  std::vector<LayerContents> contents = split_rootfs(fs, layers);
  for (size_t k = 0; k < layers.size(); ++k) {
    LayerContents& c = contents[k];
    if (c.packages.empty()) continue;
    std::string key = package_layer_key(spec_, preset_, plan_, opts_, c.packages, c.entries);
    // Found here or fetched from the cache repo (verified): the build finds it.
    if (opts_.reuse_cache && cached_layer(cache_, key, opts_)) continue;
    auto blob = write_cached_layer(cache_, key, std::move(c.entries), opts_);
    if (!blob.ok()) continue;  // the build writes it, and says what fails
    std::lock_guard<std::mutex> lock(mu_);
    written_.emplace(std::move(key), std::move(*blob));
  }
}

std::optional<oci::LayerBlob> EarlyLayers::written(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = written_.find(key);
  if (it == written_.end()) return std::nullopt;
  return it->second;
}

}  // namespace distill::builder
