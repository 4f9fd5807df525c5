#include "builder/assembly.hpp"

#include "builder/busybox.hpp"
#include "builder/system_files.hpp"
#include "debian/deb_file.hpp"

namespace distill::builder {
namespace {

// An extract-only package contributes data, never an installed package.
core::Status add_extracted(const Spec& spec, const std::string& name,
                           const std::vector<oci::FsEntry>& entries, Rootfs& fs) {
  if (name == "ca-certificates") DISTILL_TRY(add_ca_bundle(fs, entries, spec.ca_certificates));
  if (name == "busybox-static") add_busybox(fs, entries);
  return core::Status::Ok();
}

}  // namespace

core::Status assemble(const Spec& spec, const Preset& preset, const debian::Distro& distro,
                      const PlannedArch& plan, const std::vector<std::string>& paths, Rootfs& fs,
                      ArchReport& report, const std::string& spill_dir) {
  const size_t n = plan.installs.size();
  for (size_t i = 0; i < paths.size(); ++i) {
    const debian::PackageFetch& item = i < n ? plan.installs[i] : plan.extract_only[i - n];
    const std::string& name = item.name;
    DISTILL_ASSIGN(debian::DebContents deb, debian::read_deb(paths[i], name, {}, spill_dir));
    DISTILL_TRY(debian::check_identity(deb, name, item.name, item.version, item.architecture));
    if (i >= n) {
      DISTILL_TRY(add_extracted(spec, name, deb.entries, fs));
      continue;
    }
    if (!deb.maintainer_scripts.empty()) report.skipped_scripts.push_back(name);
    add_status_entry(fs, name, deb.control, deb.md5sums);
    fs.add_package(name, std::move(deb.entries));
  }
  fs.add_merged_usr_links();
  add_system_files(fs, distro);
  for (const auto& [path, target] : preset.symlinks)
    if (!fs.contains(path)) fs.put(oci::FsEntry::symlink(path, target));
  report.stripped = fs.stripped_special_bits();
  report.conflicts = fs.conflicts();
  return core::Status::Ok();
}

}  // namespace distill::builder
