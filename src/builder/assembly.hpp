#pragma once

#include <string>
#include <vector>

#include "builder/arch_plan.hpp"
#include "builder/build_report.hpp"
#include "builder/preset.hpp"
#include "builder/rootfs.hpp"
#include "builder/spec.hpp"
#include "core/result.hpp"
#include "debian/distro.hpp"

namespace distill::builder {

// Fills `fs` from the fetched .debs (`paths`: plan.installs then
// plan.extract_only, in order): installed packages with their status.d
// entries, the CA bundle and busybox from the extract-only ones, merged /usr,
// the system files and the preset's symlinks. Records skipped maintainer
// scripts, stripped setuid/setgid bits and file conflicts in `report`.
// Large files go to `spill_dir` (see debian::read_deb), which must outlive `fs`.
core::Status assemble(const Spec& spec, const Preset& preset, const debian::Distro& distro,
                      const PlannedArch& plan, const std::vector<std::string>& paths, Rootfs& fs,
                      ArchReport& report, const std::string& spill_dir = {});

}  // namespace distill::builder
