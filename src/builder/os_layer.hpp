#pragma once

#include <string>
#include <vector>

#include "builder/arch_plan.hpp"
#include "builder/build_options.hpp"
#include "builder/build_report.hpp"
#include "builder/preset.hpp"
#include "builder/spec.hpp"
#include "cache/cache.hpp"
#include "core/result.hpp"
#include "debian/repository.hpp"
#include "oci/layer_writer.hpp"

namespace distill::builder {

struct BuiltLayer {
  oci::LayerBlob blob;
  bool cached = false;
  bool early = false;   // written while other .debs were still being read
  std::string name;     // "static", a source package, "other", "image"
  size_t packages = 0;  // the packages whose files it holds
};

// The packages-and-system-files layers of one architecture, bottom first
// (spec.layering; docs/image-format.md#layers-of-an-image): from the layer
// cache when the image's layer list is recorded (and opts.reuse_cache), else
// fetched and assembled, and each layer taken from the cache by its own key
// or written and recorded. Fills the report's assembly notes.
core::Result<std::vector<BuiltLayer>> os_layers(const Spec& spec, const Preset& preset,
                                                debian::Repository& repo, cache::Cache& cache,
                                                const PlannedArch& plan, const BuildOptions& opts,
                                                ArchReport& report);

}  // namespace distill::builder
