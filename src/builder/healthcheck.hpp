#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "builder/spec.hpp"
#include "core/result.hpp"
#include "oci/fs_entry.hpp"
#include "oci/image_config.hpp"

namespace distill::builder {

// The image config's Healthcheck for the spec's: ["CMD", kHealthcheckProgram,
// "http"|"tcp", target] or ["CMD", exec...], durations in nanoseconds.
oci::Healthcheck image_healthcheck(const HealthcheckSpec& spec);

// Whether the spec's healthcheck needs distill's checker in the image.
bool needs_health_program(const Spec& spec);

// The checker is built for the host: an http or tcp healthcheck can be built
// only for the host's architecture (`host_arch`); anything else is one error
// naming the way out (the exec form, or building on such a host).
core::Status check_health_archs(const Spec& spec, const std::vector<std::string>& archs,
                                const std::string& host_arch);

// The checker's layer entry (root-owned 0755 at kHealthcheckProgram, its bytes
// streamed from `program`, `mtime` SOURCE_DATE_EPOCH), when the spec needs one.
std::optional<oci::FsEntry> health_program_entry(const Spec& spec, const std::string& program,
                                                 int64_t mtime);

}  // namespace distill::builder
