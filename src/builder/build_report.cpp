#include "builder/build_report.hpp"

namespace distill::builder {

nlohmann::json to_json(const BuildReport& report) {
  nlohmann::json archs = nlohmann::json::array();
  for (const auto& a : report.archs) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : a.layers)
      layers.push_back({{"name", l.name},
                        {"digest", l.digest},
                        {"size", l.size},
                        {"packages", l.packages},
                        {"cached", l.cached},
                        {"early", l.early}});
    archs.push_back({{"arch", a.arch},
                     {"manifest_digest", a.manifest_digest},
                     {"packages", a.packages},
                     {"dropped", a.dropped},
                     {"stripped", a.stripped},
                     {"conflicts", a.conflicts},
                     {"app_notes", a.app_notes},
                     {"uncompressed_bytes", a.uncompressed_bytes},
                     {"compressed_bytes", a.compressed_bytes},
                     {"os_layer_cached", a.os_layer_cached},
                     {"entrypoint_check", a.entrypoint_check},
                     {"layers", std::move(layers)},
                     {"maintainer_scripts", effects::to_json(a.effects)}});
  }
  nlohmann::json out = {{"digest", report.digest}, {"archs", std::move(archs)}};
  if (!report.cache_repo.repository.empty())
    out["cache_repo"] = {{"repository", report.cache_repo.repository},
                         {"layers_pulled", report.cache_repo.layers_pulled},
                         {"resolutions_pulled", report.cache_repo.resolutions_pulled},
                         {"records_pushed", report.cache_repo.records_pushed}};
  return out;
}

}  // namespace distill::builder
