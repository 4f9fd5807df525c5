#include "builder/healthcheck.hpp"

#include <fmt/format.h>

namespace distill::builder {

oci::Healthcheck image_healthcheck(const HealthcheckSpec& spec) {
  oci::Healthcheck h;
  switch (spec.kind) {
    case HealthKind::kHttp:
      h.test = {"CMD", kHealthcheckProgram, "http", spec.target};
      break;
    case HealthKind::kTcp:
      h.test = {"CMD", kHealthcheckProgram, "tcp", spec.target};
      break;
    case HealthKind::kExec:
      h.test = {"CMD"};
      h.test.insert(h.test.end(), spec.exec.begin(), spec.exec.end());
      break;
  }
  h.interval = spec.interval;
  h.timeout = spec.timeout;
  h.start_period = spec.start_period;
  h.retries = spec.retries;
  return h;
}

bool needs_health_program(const Spec& spec) {
  return spec.healthcheck && spec.healthcheck->kind != HealthKind::kExec;
}

core::Status check_health_archs(const Spec& spec, const std::vector<std::string>& archs,
                                const std::string& host_arch) {
  if (!needs_health_program(spec)) return core::Status::Ok();
  for (const auto& arch : archs) {
    if (arch == host_arch) continue;
    return core::make_error(
        fmt::format("{}:{}", spec.path, spec.healthcheck->line),
        fmt::format("healthcheck: the http and tcp checker is built for {} and cannot go "
                    "into an image for {}",
                    host_arch, arch),
        fmt::format("use 'exec:' with a program of the image, or build the {} image on a {} host",
                    arch, arch));
  }
  return core::Status::Ok();
}

std::optional<oci::FsEntry> health_program_entry(const Spec& spec, const std::string& program,
                                                 int64_t mtime) {
  if (!needs_health_program(spec)) return std::nullopt;
  // Owner, mode and mtime (SOURCE_DATE_EPOCH, as generated files have it)
  // fixed: the entry is the same on every host.
  oci::FsEntry e =
      oci::FsEntry::host_file(std::string(kHealthcheckProgram).substr(1), program, 0755);
  e.uid = 0;
  e.gid = 0;
  e.mtime = mtime;
  return e;
}

}  // namespace distill::builder
