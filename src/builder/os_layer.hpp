#pragma once

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
};

// The packages-and-system-files layer of one architecture: from the layer
// cache when its key is recorded (and opts.reuse_cache), else fetched,
// assembled, written and recorded. Fills the report's assembly notes.
core::Result<BuiltLayer> os_layer(const Spec& spec, const Preset& preset, debian::Repository& repo,
                                  cache::Cache& cache, const PlannedArch& plan,
                                  const BuildOptions& opts, ArchReport& report);

}  // namespace distill::builder
