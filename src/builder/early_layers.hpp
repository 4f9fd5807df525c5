#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "builder/arch_plan.hpp"
#include "builder/assembly.hpp"
#include "builder/build_options.hpp"
#include "builder/layering.hpp"
#include "builder/preset.hpp"
#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "debian/deb_file.hpp"
#include "oci/layer_writer.hpp"

namespace distill::builder {

// Package layers written while the image's other .debs are still being read
// (docs/image-format.md#layers-written-early). The layers are planned from
// the .debs' control files before any data is read. Once every package up
// to a layer's last one (in plan order) is read, the tree of those packages
// decides the layer's entries as the whole image's tree will, since a path
// belongs to the first package that ships it. The reading thread then adds
// the system files to that tree, drops the layer's packages they change (as
// the build would) and writes the layer under its key (package_layer_key)
// into the layer cache. The build cuts its layers as always and takes an
// early blob only under the same key, which holds every byte that decides
// the blob: should a maintainer effect change one of the layer's packages,
// the early write is wasted work and the image is the same.
class EarlyLayers : public PackageReadListener {
 public:
  // `paths`: plan.installs then plan.extract_only, as assemble takes them.
  // nullptr when there is nothing to write early (`single` layering, one
  // package layer at most) or a control file cannot be read (the full read
  // reports it). A layer found in the layer cache, or in opts.cache_repo, is
  // taken from there, as the build would, and one written early is stored
  // in both (an unused one costs a record there, keyed by its content).
  static std::unique_ptr<EarlyLayers> plan(const Spec& spec, const Preset& preset,
                                           const debian::Distro& distro, const PlannedArch& plan,
                                           const std::vector<std::string>& paths,
                                           cache::Cache& cache, const BuildOptions& opts);

  // Writes each layer whose last package this is. `deb` must stay as it is
  // until every read has ended (assemble keeps it). A layer that cannot be
  // written is left to the build, which then reports why.
  void package_read(size_t i, const debian::DebContents& deb) override;

  // The blob written early under `key`, if one was.
  std::optional<oci::LayerBlob> written(const std::string& key) const;

 private:
  EarlyLayers(const Spec& spec, const Preset& preset, const debian::Distro& distro,
              const PlannedArch& plan, cache::Cache& cache, const BuildOptions& opts,
              std::vector<PackageLayer> layers);
  // Writes `ready` from a tree of the first `upto` packages.
  void write(const std::vector<size_t>& ready, size_t upto);

  const Spec& spec_;
  const Preset& preset_;
  const debian::Distro& distro_;
  const PlannedArch& plan_;
  cache::Cache& cache_;
  BuildOptions opts_;
  std::vector<PackageLayer> layers_;
  std::map<std::string, size_t> index_;  // package -> its install index
  std::vector<size_t> last_;             // layer -> its last package's install index

  mutable std::mutex mu_;
  std::vector<const debian::DebContents*> read_;  // install index -> the package, once read
  size_t prefix_ = 0;                             // packages [0, prefix_) are read
  std::vector<bool> started_;                     // layer -> written or being written
  std::map<std::string, oci::LayerBlob> written_;
};

}  // namespace distill::builder
