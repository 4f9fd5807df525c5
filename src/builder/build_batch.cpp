#include "builder/build_batch.hpp"

#include <filesystem>

#include "core/file_util.hpp"

namespace distill::builder {

core::Result<std::vector<PipelineReport>> build_and_ship_all(const std::vector<BuildPlan>& plans,
                                                             const RepositoryFor& repository_for,
                                                             cache::Cache& cache,
                                                             PipelineObserver* observer) {
  std::vector<PipelineReport> reports;
  for (const auto& plan : plans) {
    std::string parent = std::filesystem::path(plan.options.output).parent_path().string();
    if (!parent.empty()) DISTILL_TRY(core::make_dirs(parent));
    DISTILL_ASSIGN(debian::Repository * repo, repository_for(plan.spec));
    if (observer) observer->starting(plan.spec_path, plan.options);
    auto report = build_and_ship(plan.spec, plan.options, plan.ship, *repo, cache, observer);
    // Among several, the error says which spec it came from.
    if (!report.ok())
      return plans.size() > 1 ? report.error().with_where(plan.spec_path) : report.error();
    reports.push_back(std::move(*report));
  }
  return reports;
}

}  // namespace distill::builder
