#pragma once

#include <string>
#include <vector>

#include "builder/arch_plan.hpp"
#include "builder/build_report.hpp"
#include "builder/layering.hpp"
#include "builder/preset.hpp"
#include "builder/rootfs.hpp"
#include "builder/spec.hpp"
#include "core/result.hpp"
#include "debian/deb_file.hpp"
#include "debian/distro.hpp"
#include "effects/maintainer_scripts.hpp"
#include "effects/python_bytecode.hpp"

namespace distill::builder {

// Fills `fs` from the fetched .debs (`paths`: plan.installs then
// plan.extract_only, in order): installed packages with their status.d
// entries, the CA bundle and busybox from the extract-only ones, merged /usr,
// the system files, the preset's symlinks and the spec's accounts; then what
// the maintainer scripts would have done (effects::apply_maintainer_effects)
// and status.d md5sums trimmed to the image. Records the script steps,
// stripped setuid/setgid bits and file conflicts in `report`.
// With `spill_dir` (which must outlive `fs`), every file's content goes to a
// content pack there (see debian::read_deb) and `fs` holds only metadata.
// Packages are read in parallel (EffectsEnv::read_threads).
// `packages`, when given, gets each installed package's layering facts; `fs`
// tracks its changes from the first step after the packages (Tree::changed).
// `listener`, when given, is told of each package as it is read (the early
// layers, builder/early_layers).
// Where the effects engine may make its sandbox, and the time its files get.
struct EffectsEnv {
  std::string work_parent;
  int64_t mtime = 0;
  effects::BytecodeStore* bytecode_store = nullptr;
  // Packages read (decompressed) at once; 0: one per core (at most 8). The
  // image is the same for any number.
  int read_threads = 0;
};
// Told of each package as soon as it is read and its identity checked, on
// the reading thread: `i` indexes `paths`, in whatever order the reads end,
// several at once.
class PackageReadListener {
 public:
  virtual ~PackageReadListener() = default;
  virtual void package_read(size_t i, const debian::DebContents& deb) = 0;
};

core::Status assemble(const Spec& spec, const Preset& preset, const debian::Distro& distro,
                      const PlannedArch& plan, const std::vector<std::string>& paths, Rootfs& fs,
                      ArchReport& report, const std::string& spill_dir = {},
                      const EffectsEnv& env = {}, std::vector<LayerPackage>* packages = nullptr,
                      PackageReadListener* listener = nullptr);

// What assemble adds once the packages are in: merged /usr, the system
// files, the preset's symlinks and the spec's accounts.
core::Status add_image_files(const Spec& spec, const Preset& preset, const debian::Distro& distro,
                             Rootfs& fs);

// Adds installed package `name` to `fs` as assemble does, with its status.d
// entries (a preset's partial package keeps only its listed files, and its
// scripts are not read); returns its maintainer scripts.
effects::PackageScripts add_installed(const Preset& preset, const std::string& name,
                                      debian::DebContents deb, Rootfs& fs);

}  // namespace distill::builder
