#include "builder/build_request.hpp"

#include "builder/registry_cache.hpp"
#include "core/file_util.hpp"
#include "core/time.hpp"
#include "registry/reference.hpp"
#include "sbom/sbom_file.hpp"
#include "trust/key_file.hpp"

namespace distill::builder {
namespace {

core::Result<BuildOptions> options_from(const BuildRequest& r) {
  BuildOptions o;
  DISTILL_ASSIGN(o.format, transport::parse_output_format(r.format));
  DISTILL_ASSIGN(o.compression, oci::parse_compression(r.compression));
  o.output = !r.output.empty() ? r.output : std::string(transport::default_output(o.format));
  for (const std::string& arch : r.archs)
    DISTILL_TRY(check_arch_name("command line", "--arch", arch));
  o.archs = r.archs;
  for (const std::string& tag : r.tags) {
    DISTILL_ASSIGN(std::string name, registry::normalize_image_name(tag));
    o.tags.push_back(std::move(name));
  }
  o.reuse_cache = !r.no_cache;
  o.allow_outside = r.allow_outside;
  DISTILL_ASSIGN(std::optional<int64_t> epoch, core::source_date_epoch());
  o.source_date_epoch = epoch.value_or(0);  // unset: 0 keeps outputs reproducible anyway
  return o;
}

core::Result<ShipOptions> ship_options_from(const BuildRequest& r) {
  ShipOptions ship;
  ship.sbom = r.sbom;
  DISTILL_ASSIGN(ship.sbom_format, sbom::parse_sbom_format(r.sbom_format));
  ship.push = r.push;
  ship.registry = r.push_options;
  ship.report_path = r.report_path;
  if (!r.sign_key.empty()) {
    if (r.push.empty())
      return core::make_error("--sign-key", "signs pushed images, and nothing is pushed",
                              "add --push HOST[:PORT]/REPO[:TAG]");
    // Loaded before anything is built: a wrong passphrase fails at once.
    DISTILL_ASSIGN(trust::PrivateKey key, trust::load_private_key(r.sign_key, r.passphrase_file));
    ship.sign_key = std::make_shared<const trust::PrivateKey>(std::move(key));
    ship.spec_path = r.spec_path;
    ship.lock_path = r.lock_path;
    ship.allow_outside = r.allow_outside;
    ship.debug = r.debug;
  }
  return ship;
}

// `--debug`: the spec as if it said `debug: true`, on tags and push
// references that name the debug variant.
core::Status make_debug_variant(BuildPlan& plan) {
  plan.spec.debug = true;
  for (std::string& tag : plan.options.tags) {
    DISTILL_ASSIGN(tag, registry::debug_variant(tag));
  }
  for (std::string& ref : plan.ship.push) {
    DISTILL_ASSIGN(ref, registry::debug_variant(ref));
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<BuildPlan> plan_build(const BuildRequest& request) {
  BuildPlan plan;
  DISTILL_ASSIGN(plan.spec, load_spec(request.spec_path));
  DISTILL_ASSIGN(plan.options, options_from(request));
  DISTILL_ASSIGN(plan.ship, ship_options_from(request));
  if (request.debug) DISTILL_TRY(make_debug_variant(plan));
  if (!request.lock_path.empty()) {
    DISTILL_ASSIGN(std::string text, core::read_file(request.lock_path));
    DISTILL_ASSIGN(debian::Lockfile lock, debian::Lockfile::parse(text, request.lock_path));
    plan.lock = std::make_unique<debian::Lockfile>(std::move(lock));
    plan.options.lock = plan.lock.get();
    plan.options.lock_path = request.lock_path;
  }
  if (!request.cache_repo.empty()) {
    // Connected before anything is built: a wrong name or credential fails at once.
    DISTILL_ASSIGN(plan.cache_repo,
                   RegistryCache::connect(request.cache_repo, request.push_options.write.remote));
    plan.options.cache_repo = plan.cache_repo.get();
  }
  return plan;
}

}  // namespace distill::builder
