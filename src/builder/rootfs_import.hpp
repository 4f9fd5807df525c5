#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "oci/compressor.hpp"
#include "oci/image_config.hpp"
#include "transport/image_ref.hpp"

namespace distill::builder {

struct ImportOptions {
  std::string output;  // layout folder or docker-archive tar
  transport::Transport format = transport::Transport::kOciLayout;  // or kDockerArchive
  std::vector<std::string> tags;                                   // NAME:TAG
  std::string platform;  // "os/arch[/variant]"; empty: the host's
  // The container config (user, env, entrypoint, ...) to give the image, e.g.
  // taken from another image (--config-from); unset: PATH only, as `docker import`.
  std::optional<oci::ContainerConfig> config;
  oci::Compression compression = oci::Compression::kGzip;
  int64_t source_date_epoch = 0;
};

struct ImportReport {
  size_t members = 0;                // entries in the layer
  std::vector<std::string> dropped;  // device nodes, FIFOs and sockets left out
  std::string digest;                // the manifest's
};

// Turns a root filesystem tar (plain, gzip, xz, bzip2 or zstd; what
// `docker export`, mmdebstrap or a distro's rootfs tarball give) into a
// one-layer image, like `docker import`. Member names are normalised
// ("./etc" -> "etc", a leading '/' dropped) and names with "..", NUL or
// non-UTF-8 bytes refused; a later member with the same name replaces an
// earlier one; device nodes, FIFOs and sockets are dropped and listed in the
// report. The layer is written by the usual layer writer, so the result is
// deterministic for a given tar and SOURCE_DATE_EPOCH.
core::Result<ImportReport> import_rootfs(const std::string& tar_path, const ImportOptions& options);

}  // namespace distill::builder
