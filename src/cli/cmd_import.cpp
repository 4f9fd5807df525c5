#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "builder/rootfs_import.hpp"
#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "image/image_source.hpp"

namespace distill::cli {
namespace {

struct ImportArgs {
  std::string tar;
  std::string output;
  std::string format = "oci";
  std::vector<std::string> tags;
  std::string platform;
  std::string config_from;
  std::string compression = "gzip";
  transport::Options transport;  // reaches --config-from
};

// The container config of the one image `ref` selects.
core::Result<oci::ContainerConfig> config_of(const std::string& ref, const std::string& platform,
                                             const transport::Options& transport) {
  DISTILL_ASSIGN(auto source, transport::open_image(ref, transport));
  DISTILL_ASSIGN(auto selected, source->select_platform(platform));
  if (selected.size() != 1)
    return core::make_error("--config-from " + ref,
                            fmt::format("selects {} images", selected.size()),
                            "pick one with --platform or a tag");
  return selected.front()->config.config;
}

core::Status run_import(const ImportArgs& a) {
  builder::ImportOptions o;
  o.output = a.output;
  if (a.format == "docker") o.format = transport::Transport::kDockerArchive;
  o.tags = a.tags;
  o.platform = a.platform;
  o.compression = a.compression == "zstd" ? oci::Compression::kZstd : oci::Compression::kGzip;
  DISTILL_ASSIGN(o.source_date_epoch, source_date_epoch());
  if (!a.config_from.empty()) {
    DISTILL_ASSIGN(o.config, config_of(a.config_from, a.platform, a.transport));
  }
  DISTILL_ASSIGN(builder::ImportReport r, builder::import_rootfs(a.tar, o));
  for (const auto& d : r.dropped)
    std::fprintf(stderr, "distill: note: /%s: device node, FIFO or socket dropped\n", d.c_str());
  std::fprintf(stderr, "distill: imported %zu entries into %s\n", r.members, a.output.c_str());
  std::printf("%s\n", r.digest.c_str());
  return core::Status::Ok();
}

}  // namespace

Command import_command() {
  return {"import", "Turn a root filesystem tar into a one-layer image (like docker import)",
          [](CLI::App& sub, GlobalOptions&) -> Action {
            auto a = std::make_shared<ImportArgs>();
            sub.add_option("rootfs", a->tar, "Root filesystem tar (plain, gzip, xz, bzip2, zstd)")
                ->required();
            sub.add_option("-o,--output", a->output, "OCI layout folder or docker-archive tar")
                ->required();
            sub.add_option("--format", a->format, "Output format")
                ->check(CLI::IsMember({"oci", "docker"}));
            sub.add_option("-t,--tag", a->tags, "NAME:TAG (repeatable)");
            sub.add_option("--platform", a->platform, "os/arch[/variant] (default: the host's)");
            sub.add_option("--config-from", a->config_from,
                           "Copy user, env, entrypoint, cmd... from this image");
            add_transport_options(sub, a->transport);
            sub.add_option("--compression", a->compression, "Layer compression")
                ->check(CLI::IsMember({"gzip", "zstd"}));
            return [a]() { return run_import(*a); };
          }};
}

}  // namespace distill::cli
