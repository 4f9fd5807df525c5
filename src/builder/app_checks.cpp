#include "builder/app_checks.hpp"

#include <fmt/format.h>

#include <set>

#include "builder/app_files.hpp"
#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/strings.hpp"
#include "debian/distro.hpp"
#include "oci/entry_content.hpp"
#include "verify/entrypoint_check.hpp"
#include "verify/image_elf_check.hpp"
#include "verify/python_abi.hpp"

namespace distill::builder {
namespace {

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view parent_dir(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string image_path_env(const oci::Image& image) {
  for (const auto& kv : image.config.config.env)
    if (kv.starts_with("PATH=")) return kv.substr(5);
  return {};
}

// Folders that pip fills: site-packages, dist-packages, and any folder
// holding a .dist-info (a `pip install --target` folder). A plain "m.so"
// there is an untagged extension module.
std::set<std::string, std::less<>> package_folders(const std::vector<oci::FsEntry>& entries) {
  std::set<std::string, std::less<>> out;
  for (const auto& e : entries) {
    std::string_view name = base_name(e.path);
    if (name.ends_with(".dist-info") || name == "site-packages" || name == "dist-packages")
      out.insert(std::string(name.ends_with(".dist-info") ? parent_dir(e.path) : e.path));
  }
  return out;
}

bool under_any(std::string_view path, const std::set<std::string, std::less<>>& folders) {
  for (auto dir = parent_dir(path);; dir = parent_dir(dir)) {
    if (folders.count(dir) != 0) return true;
    if (dir.empty()) return false;
  }
}

// "_Foo_bar" -> "python3-foo-bar": the name Debian would package it under.
std::string debian_python_package(std::string_view module) {
  while (module.starts_with("_")) module.remove_prefix(1);
  std::string name = core::ascii_lower(module);
  for (auto& c : name)
    if (c == '_' || c == '.') c = '-';
  return "python3-" + name;
}

std::string python_hint(const verify::PythonTarget& t, std::string_view module) {
  return fmt::format(
      "rebuild it for {} on {} ({} -m pip install --target, or pip's --python-version 3.{} "
      "--platform manylinux_2_{}_{} --only-binary=:all: on another host), or use the Debian "
      "package {} if there is one",
      t.python(), t.distro, t.python(), t.minor, t.glibc_minor < 0 ? 17 : t.glibc_minor,
      t.triplet.substr(0, t.triplet.find('-')), debian_python_package(module));
}

std::string where_of(const oci::FsEntry& e) {
  return e.source_path.empty() ? "/" + e.path : fmt::format("/{} (from {})", e.path, e.source_path);
}

// What decides the entrypoint check's answer (see EntrypointMemo).
std::string entrypoint_memo_key(const oci::Image& image, const EntrypointMemo& memo,
                                const verify::EntrypointQuery& q) {
  core::Sha256 h;
  h.update("entrypoint-check-v1\n");
  for (size_t i = 0; i < memo.os_layers && i < image.layers.size(); ++i)
    h.update(image.layers[i].diff_id.str() + "\n");
  h.update(fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}\n", memo.app_shape, q.program.size(), q.program,
                       q.path_env, q.workdir, q.uid, q.gid));
  h.update(q.user);
  return "entrypoint-" + h.hex_digest();
}

// A WHEEL file is a few lines; anything much bigger is not one.
core::Result<std::string> read_small(const oci::FsEntry& e) {
  return oci::read_content(e, 64 << 10);
}

}  // namespace

core::Result<EntrypointCheck> check_entrypoint(const Spec& spec, const oci::Image& image,
                                               const EntrypointMemo& memo) {
  // What must run in the image: the entrypoint (else cmd), and an exec
  // healthcheck's program, which runs as the same user.
  struct Program {
    std::string name;
    std::string where;
    std::string label;
    std::string key;  // the memo's record, "" without a cache
    bool remembered = false;
  };
  std::vector<Program> programs;
  const bool entry = !spec.entrypoint.empty();
  const auto& argv = entry ? spec.entrypoint : spec.cmd;
  if (!argv.empty())
    programs.push_back(
        {argv[0], fmt::format("{}:{}", spec.path, entry ? spec.entrypoint_line : spec.cmd_line),
         entry ? "entrypoint: " : "cmd: ", "", false});
  const auto& health = spec.healthcheck;
  if (health && health->kind == HealthKind::kExec && !health->exec.empty())
    programs.push_back({health->exec[0], fmt::format("{}:{}", spec.path, health->line),
                        "healthcheck: exec: ", "", false});
  if (programs.empty()) return EntrypointCheck::kNone;
  verify::EntrypointQuery q;
  q.path_env = image_path_env(image);
  q.workdir = spec.workdir;
  q.uid = spec.user.uid;
  q.gid = spec.user.gid;
  q.user = spec.user.text;
  bool all_remembered = true;
  for (auto& p : programs) {
    if (memo.cache == nullptr) {
      all_remembered = false;
      continue;
    }
    q.program = p.name;
    p.key = entrypoint_memo_key(image, memo, q);
    p.remembered = memo.cache->read_named(p.key).has_value();
    all_remembered = all_remembered && p.remembered;
  }
  const EntrypointCheck done = argv.empty() ? EntrypointCheck::kNone : EntrypointCheck::kChecked;
  if (all_remembered) return argv.empty() ? EntrypointCheck::kNone : EntrypointCheck::kRemembered;
  DISTILL_ASSIGN(image::RootfsView fs, verify::read_built_rootfs(image));
  for (const auto& p : programs) {
    q.program = p.name;
    auto found = verify::resolve_entrypoint(fs, q);
    if (!found.ok())
      return core::make_error(p.where, p.label + found.error().what, found.error().hint);
    // Only saves work later: failing to record it fails nothing.
    if (!p.key.empty()) (void)memo.cache->write_named(p.key, *found);
  }
  return done;
}

core::Status check_app_python(const Spec& spec, const PlannedArch& plan, BuildObserver& observer,
                              std::vector<std::string>& notes) {
  DISTILL_ASSIGN(auto entries, app_file_entries(spec));
  const auto folders = package_folders(entries);
  std::vector<const oci::FsEntry*> modules, wheels;
  for (const auto& e : entries) {
    if (e.type != oci::EntryType::kRegular) continue;
    if (e.path.ends_with(".dist-info/WHEEL")) wheels.push_back(&e);
    auto name = verify::parse_extension_name(base_name(e.path));
    if (!name) continue;
    if (name->kind != verify::ExtensionName::Kind::kUntagged || under_any(e.path, folders))
      modules.push_back(&e);
  }
  if (modules.empty() && wheels.empty()) return core::Status::Ok();
  DISTILL_ASSIGN(debian::Distro distro, debian::find_distro(spec.distro));
  auto target =
      verify::python_target(plan.packages, debian::multiarch_triplet(plan.arch).value_or(plan.arch),
                            "Debian " + distro.version);
  if (!target) {
    notes.push_back(fmt::format(
        "{} Python extension module(s) and wheel(s) among the files not checked: the image has "
        "no Python",
        modules.size() + wheels.size()));
    return core::Status::Ok();
  }
  std::vector<core::Error> errors;
  size_t untagged = 0;
  for (const auto* e : modules) {
    auto name = verify::parse_extension_name(base_name(e->path));
    if (name->kind == verify::ExtensionName::Kind::kUntagged) {
      if (untagged++ == 0)
        notes.push_back(
            fmt::format("/{}: Python extension without an ABI tag, not checked", e->path));
      continue;
    }
    if (auto why = verify::extension_problem(*name, *target))
      errors.push_back(core::make_error(where_of(*e), "Python extension module " + *why,
                                        python_hint(*target, name->module)));
  }
  if (untagged > 1) notes.push_back(fmt::format("{} more untagged extensions", untagged - 1));
  for (const auto* e : wheels) {
    auto text = read_small(*e);
    if (!text.ok()) return text.error().with_where(where_of(*e));
    std::string_view dist = base_name(parent_dir(e->path));
    dist = dist.substr(0, dist.find('-'));
    if (auto why = verify::wheel_problem(verify::parse_wheel_tags(*text), *target))
      errors.push_back(core::make_error(where_of(*e), *why, python_hint(*target, dist)));
  }
  if (errors.empty()) return core::Status::Ok();
  observer.app_errors(plan.arch, errors);
  return core::make_error(
      "build " + plan.arch,
      fmt::format("{} Python extension problem{}", errors.size(), errors.size() == 1 ? "" : "s"),
      "see the lines above; docs/app-dependencies.md explains the check");
}

}  // namespace distill::builder
