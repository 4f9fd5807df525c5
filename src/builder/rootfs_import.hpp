#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "oci/compressor.hpp"
#include "oci/image_config.hpp"
#include "transport/image_ref.hpp"
#include "transport/open.hpp"

namespace distill::builder {

struct ImportOptions {
  std::string output;  // layout folder or docker-archive tar
  transport::Transport format = transport::Transport::kOciLayout;  // or kDockerArchive
  std::vector<std::string> tags;                                   // NAME:TAG
  std::string platform;  // "os/arch[/variant]"; empty: the host's
  // The container config (user, env, entrypoint, ...) to give the image;
  // unset: `config_from`'s, else PATH only, as `docker import`.
  std::optional<oci::ContainerConfig> config;
  // An image reference (--config-from) whose one image, as `platform`
  // selects it, gives the config; opened with `transport`.
  std::string config_from;
  transport::Options transport;
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

// Notes on dropped members and the summary on `err`, the digest on `out`.
void print_import_report(const ImportReport& report, const std::string& output, std::FILE* out,
                         std::FILE* err);

}  // namespace distill::builder
