#include "builder/assembly.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <thread>

#include "builder/busybox.hpp"
#include "builder/system_files.hpp"
#include "core/file_util.hpp"
#include "core/thread_pool.hpp"
#include "debian/deb_file.hpp"
#include "effects/java_truststore.hpp"
#include "effects/maintainer_scripts.hpp"

namespace distill::builder {
namespace {

// What the extract-only packages leave for the effects: the CA certificates,
// by the names ca-certificates-java gives them.
struct Extracted {
  std::vector<effects::TrustedCert> certs;
};

// A partial package keeps the listed paths and the folders above them,
// compared where merged /usr puts them (bookworm's libc-bin ships
// sbin/ldconfig, trixie's usr/sbin/ldconfig).
void keep_only(std::vector<oci::FsEntry>& entries, const std::vector<std::string>& keep) {
  std::erase_if(entries, [&keep](const oci::FsEntry& e) {
    std::string path = Rootfs::merged_usr_path(e.path);
    for (const auto& k : keep) {
      std::string want = Rootfs::merged_usr_path(k);
      if (path == want || want.starts_with(path + "/") || want.starts_with(e.path + "/"))
        return false;
    }
    return true;
  });
}

// An extract-only package contributes data, never an installed package.
core::Status add_extracted(const Spec& spec, const std::string& name,
                           const std::vector<oci::FsEntry>& entries, Rootfs& fs, Extracted& out) {
  if (name == "ca-certificates") {
    DISTILL_TRY(add_ca_bundle(fs, entries, spec.ca_certificates));
    add_ca_copyright(fs, entries);
    effects::Tree package;
    for (const auto& e : entries) package.put(e);
    DISTILL_ASSIGN(out.certs, effects::debian_ca_certificates(package));
  }
  if (name == "busybox-static") add_busybox(fs, entries);
  return core::Status::Ok();
}

core::Result<std::vector<effects::TrustedCert>> java_certs(
    const Spec& spec, std::vector<effects::TrustedCert> certs) {
  for (const auto& path : spec.ca_certificates) {
    DISTILL_ASSIGN(std::string pem, core::read_file(path));
    auto slash = path.rfind('/');
    certs.push_back({"distill:" + path.substr(slash == std::string::npos ? 0 : slash + 1), pem});
  }
  return certs;
}

core::Status run_effects(const Spec& spec, const Preset& preset, const PlannedArch& plan,
                         const std::vector<effects::PackageScripts>& scripts,
                         std::vector<effects::TrustedCert> certs, const EffectsEnv& env, Rootfs& fs,
                         ArchReport& report) {
  effects::EffectsOptions o;
  o.arch = plan.arch;
  o.acknowledged.insert(spec.acknowledge_scripts.begin(), spec.acknowledge_scripts.end());
  o.acknowledged.insert(preset.acknowledged.begin(), preset.acknowledged.end());
  o.python_bytecode = spec.python_bytecode;
  o.work_parent = env.work_parent;
  o.mtime = env.mtime;
  o.bytecode_store = env.bytecode_store;
  DISTILL_ASSIGN(o.java_certs, java_certs(spec, std::move(certs)));
  DISTILL_ASSIGN(report.effects, effects::apply_maintainer_effects(fs, scripts, o));
  return core::Status::Ok();
}

// The packages' indices, largest .deb first: the longest read starts at
// once rather than last, so that no core ends up decompressing alone.
std::vector<size_t> largest_first(const std::vector<std::string>& paths) {
  std::vector<std::pair<off_t, size_t>> sized;
  for (size_t i = 0; i < paths.size(); ++i) {
    struct stat st {};
    sized.emplace_back(::stat(paths[i].c_str(), &st) == 0 ? st.st_size : 0, i);
  }
  std::stable_sort(sized.begin(), sized.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<size_t> order;
  for (const auto& [size, i] : sized) order.push_back(i);
  return order;
}

int read_threads(const EffectsEnv& env) {
  if (env.read_threads > 0) return env.read_threads;
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
}

}  // namespace

effects::PackageScripts add_installed(const Preset& preset, const std::string& name,
                                      debian::DebContents deb, Rootfs& fs) {
  if (auto partial = preset.partial.find(name); partial != preset.partial.end()) {
    // Only some of its files: its scripts act on the rest, so they are not read.
    keep_only(deb.entries, partial->second);
    deb.maintainer_scripts.clear();
    deb.script_text.clear();
  }
  add_status_entry(fs, name, deb.control, deb.md5sums);
  fs.add_package(name, std::move(deb.entries));
  return {name, std::move(deb.maintainer_scripts), std::move(deb.script_text)};
}

core::Status add_image_files(const Spec& spec, const Preset& preset, const debian::Distro& distro,
                             Rootfs& fs) {
  fs.add_merged_usr_links();
  add_system_files(fs, distro);
  for (const auto& [path, target] : preset.symlinks)
    if (!fs.contains(path)) fs.put(oci::FsEntry::symlink(path, target));
  return add_spec_accounts(fs, spec.accounts.groups, spec.accounts.users);
}

core::Status assemble(const Spec& spec, const Preset& preset, const debian::Distro& distro,
                      const PlannedArch& plan, const std::vector<std::string>& paths, Rootfs& fs,
                      ArchReport& report, const std::string& spill_dir, const EffectsEnv& env,
                      std::vector<LayerPackage>* packages, PackageReadListener* listener) {
  const size_t n = plan.installs.size();
  auto item_of = [&](size_t i) -> const debian::PackageFetch& {
    return i < n ? plan.installs[i] : plan.extract_only[i - n];
  };
  // Decompressing the packages is most of assembly's time: every core reads
  // one. Their content goes to the spill folder, so what is held here is
  // names and metadata; the results are used in plan order whatever the
  // order the reads finished in.
  std::vector<debian::DebContents> debs(paths.size());
  const std::vector<size_t> order = largest_first(paths);
  DISTILL_TRY(core::run_parallel(paths.size(), read_threads(env), [&](size_t k) -> core::Status {
    const size_t i = order[k];
    const debian::PackageFetch& item = item_of(i);
    DISTILL_ASSIGN(debs[i], debian::read_deb(paths[i], item.name, {}, spill_dir));
    DISTILL_TRY(
        debian::check_identity(debs[i], item.name, item.name, item.version, item.architecture));
    if (listener) listener->package_read(i, debs[i]);
    return core::Status::Ok();
  }));
  std::vector<effects::PackageScripts> scripts;
  for (size_t i = 0; i < n; ++i) {
    const std::string& name = item_of(i).name;
    if (packages) {
      DISTILL_ASSIGN(LayerPackage facts, layer_package(name, debs[i].control));
      packages->push_back(std::move(facts));
    }
    scripts.push_back(add_installed(preset, name, std::move(debs[i]), fs));
  }
  // What the packages shipped ends here: whatever replaces one of their
  // files from now on (the CA bundle included) makes the package unclean.
  fs.track_changes();
  Extracted extracted;
  for (size_t i = n; i < paths.size(); ++i)
    DISTILL_TRY(add_extracted(spec, item_of(i).name, debs[i].entries, fs, extracted));
  DISTILL_TRY(add_image_files(spec, preset, distro, fs));
  DISTILL_TRY(
      run_effects(spec, preset, plan, scripts, std::move(extracted.certs), env, fs, report));
  trim_md5sums(fs);
  report.stripped = fs.stripped_special_bits();
  report.conflicts = fs.conflicts();
  return core::Status::Ok();
}

}  // namespace distill::builder
