#include "builder/build_request.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>

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
    ship.spec_path = r.spec_paths.empty() ? "distill.yaml" : r.spec_paths.front();
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

core::Result<BuildPlan> plan_one(const BuildRequest& request, const std::string& spec_path) {
  BuildPlan plan;
  plan.spec_path = spec_path;
  plan.name = image_name_of(spec_path);
  DISTILL_ASSIGN(plan.spec, load_spec(spec_path));
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

// Flags that name one image's outputs cannot apply to several.
core::Status check_several(const BuildRequest& r) {
  const std::pair<bool, const char*> single[] = {
      {!r.push.empty(), "--push"},         {!r.tags.empty(), "--tag"},
      {!r.lock_path.empty(), "--lock"},    {!r.report_path.empty(), "--report"},
      {!r.sign_key.empty(), "--sign-key"},
  };
  for (const auto& [given, flag] : single)
    if (given)
      return core::make_error(flag, "names one image, and several specs are built",
                              "build them, then ship each output, or build one spec at a time");
  return core::Status::Ok();
}

// A name that is one plain path component: letters, digits, '.', '_', '-',
// not starting with a dot.
bool is_output_name(const std::string& name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool is_spec_file_name(const std::string& name) {
  return name.ends_with(".yaml") || name.ends_with(".yml");
}

// A folder's specs: its *.yaml and *.yml files and its subfolders' distill.yaml.
core::Result<std::vector<std::string>> specs_in(const std::string& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    std::string path = dir + "/" + name;
    if (entry.is_regular_file(ec) && is_spec_file_name(name))
      found.push_back(path);
    else if (entry.is_directory(ec) && core::path_exists(path + "/distill.yaml"))
      found.push_back(path + "/distill.yaml");
  }
  if (ec) return core::make_error(dir, "cannot list the folder: " + ec.message());
  if (found.empty())
    return core::make_error(dir, "holds no spec",
                            "put NAME.yaml files or NAME/distill.yaml folders in it");
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

std::string image_name_of(const std::string& spec_path) {
  std::filesystem::path p(spec_path);
  std::string stem = p.stem().string();
  if (stem != "distill") return stem;
  std::string folder = std::filesystem::absolute(p).lexically_normal().parent_path().filename();
  return folder.empty() ? stem : folder;
}

core::Result<std::vector<std::string>> expand_spec_paths(const std::vector<std::string>& paths) {
  if (paths.empty()) return std::vector<std::string>{"distill.yaml"};
  std::vector<std::string> files;
  for (const auto& path : paths) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      std::string dir = path;
      while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
      DISTILL_ASSIGN(auto in_dir, specs_in(dir));
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.push_back(path);  // load_spec says what is wrong with it
    }
  }
  return files;
}

core::Result<std::vector<BuildPlan>> plan_builds(const BuildRequest& request) {
  DISTILL_ASSIGN(std::vector<std::string> files, expand_spec_paths(request.spec_paths));
  std::vector<BuildPlan> plans;
  if (files.size() == 1) {
    DISTILL_ASSIGN(BuildPlan plan, plan_one(request, files.front()));
    plans.push_back(std::move(plan));
    return plans;
  }
  DISTILL_TRY(check_several(request));
  std::string dir = request.output.empty() ? "images" : request.output;
  std::set<std::string> names;
  for (const auto& file : files) {
    DISTILL_ASSIGN(BuildPlan plan, plan_one(request, file));
    if (!is_output_name(plan.name))
      return core::make_error(file, "cannot name an image output after it",
                              "name spec files like web.yaml or web/distill.yaml");
    if (!names.insert(plan.name).second)
      return core::make_error(file, "another spec also makes an image named '" + plan.name + "'",
                              "rename one of them: the name is the file's, or its folder's");
    plan.options.output =
        dir + "/" + plan.name +
        (plan.options.format == transport::Transport::kDockerArchive ? ".tar" : "");
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace distill::builder
