#include "builder/image_builder.hpp"

#include "builder/app_checks.hpp"
#include "builder/app_elf_check.hpp"
#include "builder/app_files.hpp"
#include "builder/app_layer.hpp"
#include "builder/arch_plan.hpp"
#include "builder/healthcheck.hpp"
#include "builder/image_config.hpp"
#include "builder/lock_check.hpp"
#include "builder/os_layer.hpp"
#include "builder/output.hpp"
#include "builder/preset.hpp"
#include "builder/remote_cache.hpp"
#include "builder/spec_request.hpp"
#include "debian/solve.hpp"

namespace distill::builder {
namespace {

std::vector<std::string> effective_archs(std::vector<std::string> archs, const Spec& spec) {
  if (archs.empty()) archs = spec.archs;
  if (archs.empty()) archs = {debian::host_arch()};
  return archs;
}

// What every architecture's image is built with.
struct BuildContext {
  const Spec& spec;
  const Preset& preset;
  const BuildOptions& opts;
  debian::Repository& repo;
  cache::Cache& cache;
  const std::optional<oci::LayerBlob>& app;
  bool app_cached = false;
  std::string app_shape;  // app_layer's
};

core::Result<oci::Image> build_arch(const BuildContext& ctx, const std::string& arch,
                                    ArchReport& r) {
  r.arch = arch;
  DISTILL_ASSIGN(PlannedArch plan,
                 plan_arch(ctx.spec, ctx.preset, ctx.repo, ctx.cache, arch, ctx.opts));
  r.packages = plan.packages;
  r.dropped = plan.dropped;
  DISTILL_ASSIGN(std::vector<BuiltLayer> os,
                 os_layers(ctx.spec, ctx.preset, ctx.repo, ctx.cache, plan, ctx.opts, r));
  std::vector<ImageLayer> layers;
  r.os_layer_cached = true;
  for (const auto& l : os) {
    r.os_layer_cached = r.os_layer_cached && l.cached;
    layers.push_back({l.blob, l.name, l.packages});
    r.layers.push_back({l.name, l.blob.digest.str(), static_cast<uint64_t>(l.blob.size), l.packages,
                        l.cached, l.early});
  }
  if (ctx.app) {
    layers.push_back({*ctx.app, "files", 0});
    r.layers.push_back(
        {"files", ctx.app->digest.str(), static_cast<uint64_t>(ctx.app->size), 0, ctx.app_cached});
  }
  for (const auto& l : layers) {
    r.uncompressed_bytes += static_cast<uint64_t>(l.blob.uncompressed_size);
    r.compressed_bytes += static_cast<uint64_t>(l.blob.size);
  }
  DISTILL_ASSIGN(oci::Image image, make_image(ctx.spec, ctx.preset, arch, ctx.opts, layers));
  BuildObserver& observer = ctx.opts.observer ? *ctx.opts.observer : no_build_observer();
  if (ctx.app) {
    DISTILL_TRY(check_app_python(ctx.spec, plan, observer, r.app_notes));
    DISTILL_TRY(check_app_binaries(ctx.spec, image, plan, ctx.repo, observer));
  }
  // Used under --no-cache too, as the bytecode store is: the key is the
  // layers' own diff_ids, computed afresh when they were rebuilt.
  EntrypointMemo memo{&ctx.cache, os.size(), ctx.app_shape};
  DISTILL_ASSIGN(EntrypointCheck checked, check_entrypoint(ctx.spec, image, memo));
  r.entrypoint_check = checked == EntrypointCheck::kRemembered ? "remembered"
                       : checked == EntrypointCheck::kChecked  ? "checked"
                                                               : "";
  return image;
}

}  // namespace

core::Result<debian::Lockfile> lock_spec(const Spec& spec, std::vector<std::string> archs,
                                         debian::Repository& repo, cache::Cache& cache) {
  DISTILL_ASSIGN(Preset preset, find_preset(spec.base, repo.config().distro));
  debian::SolveRequest req = solve_request(spec, preset);
  debian::Lockfile lock;
  lock.distro = spec.distro;
  lock.base = preset.name;
  lock.packages = req.packages;
  lock.exclude = req.exclude;
  for (const auto& arch : effective_archs(std::move(archs), spec)) {
    DISTILL_ASSIGN(SolvedArch solved,
                   resolve_arch(spec, preset, repo, cache, arch, BuildOptions{}));
    lock.archs[arch] = std::move(solved.locked);
  }
  return lock;
}

core::Result<BuildReport> build_image(const Spec& spec, const BuildOptions& opts,
                                      debian::Repository& repo, cache::Cache& cache) {
  DISTILL_ASSIGN(Preset preset, find_preset(spec.base, repo.config().distro));
  std::vector<std::string> archs = effective_archs(opts.archs, spec);
  if (opts.format == transport::Transport::kDockerArchive && archs.size() > 1)
    return core::make_error("build", "docker-archive holds one platform",
                            "use --format oci or pick one with --arch");
  if (opts.lock) DISTILL_TRY(check_lock(*opts.lock, opts.lock_path, spec, preset, archs));
  DISTILL_TRY(check_file_sources(spec, opts.allow_outside));
  DISTILL_TRY(check_health_archs(spec, archs, debian::host_arch()));
  bool app_cached = false;
  std::string app_shape;
  DISTILL_ASSIGN(auto app, app_layer(spec, cache, opts, &app_cached, &app_shape));
  const BuildContext ctx{spec, preset, opts, repo, cache, app, app_cached, app_shape};
  BuildReport report;
  std::vector<oci::Image> images;
  for (const auto& arch : archs) {
    ArchReport r;
    DISTILL_ASSIGN(oci::Image image, build_arch(ctx, arch, r));
    images.push_back(std::move(image));
    report.archs.push_back(std::move(r));
  }
  DISTILL_TRY(write_output(opts, images, report));
  if (opts.cache_repo) {
    RemoteCacheStats& s = opts.cache_repo->stats();
    report.cache_repo = {opts.cache_repo->where(), s.layers_pulled.load(),
                         s.resolutions_pulled.load(), s.records_pushed.load()};
  }
  return report;
}

}  // namespace distill::builder
