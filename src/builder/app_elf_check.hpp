#pragma once

#include "builder/arch_plan.hpp"
#include "builder/build_observer.hpp"
#include "builder/spec.hpp"
#include "core/result.hpp"
#include "debian/repository.hpp"
#include "oci/image.hpp"

namespace distill::builder {

// The ELF dependency check on the files the spec adds (docs/elf-check.md),
// run on the built image before it is written: every problem goes to the
// observer before the build fails. Package names for hints come from the
// architecture's indices, read only when a finding needs one.
core::Status check_app_binaries(const Spec& spec, const oci::Image& image, const PlannedArch& plan,
                                debian::Repository& repo, BuildObserver& observer);

}  // namespace distill::builder
