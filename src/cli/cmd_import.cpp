#include <cstdio>
#include <memory>
#include <string>

#include "builder/rootfs_import.hpp"
#include "cli/commands_list.hpp"
#include "cli/session.hpp"
#include "cli/transport_flags.hpp"

namespace distill::cli {
namespace {

struct ImportArgs {
  std::string tar;
  builder::ImportOptions options;
  std::string format = "oci";
  std::string compression = "gzip";
};

core::Status run_import(ImportArgs& a) {
  DISTILL_ASSIGN(a.options.format, transport::parse_output_format(a.format));
  DISTILL_ASSIGN(a.options.compression, oci::parse_compression(a.compression));
  DISTILL_ASSIGN(a.options.source_date_epoch, source_date_epoch());
  DISTILL_ASSIGN(builder::ImportReport r, builder::import_rootfs(a.tar, a.options));
  builder::print_import_report(r, a.options.output, stdout, stderr);
  return core::Status::Ok();
}

}  // namespace

Command import_command() {
  return {"import", "Turn a root filesystem tar into a one-layer image (like docker import)",
          [](CLI::App& sub, GlobalOptions&) -> Action {
            auto a = std::make_shared<ImportArgs>();
            builder::ImportOptions& o = a->options;
            sub.add_option("rootfs", a->tar, "Root filesystem tar (plain, gzip, xz, bzip2, zstd)")
                ->required();
            sub.add_option("-o,--output", o.output, "OCI layout folder or docker-archive tar")
                ->required();
            sub.add_option("--format", a->format, "Output format")
                ->check(CLI::IsMember({"oci", "docker"}));
            sub.add_option("-t,--tag", o.tags, "NAME:TAG (repeatable)");
            sub.add_option("--platform", o.platform, "os/arch[/variant] (default: the host's)");
            sub.add_option("--config-from", o.config_from,
                           "Copy user, env, entrypoint, cmd... from this image");
            add_transport_options(sub, o.transport);
            sub.add_option("--compression", a->compression, "Layer compression")
                ->check(CLI::IsMember({"gzip", "zstd"}));
            return [a]() { return run_import(*a); };
          }};
}

}  // namespace distill::cli
