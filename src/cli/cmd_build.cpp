#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "builder/image_builder.hpp"
#include "builder/spec.hpp"
#include "cli/commands_list.hpp"
#include "cli/session.hpp"
#include "cli/transport_flags.hpp"
#include "core/file_util.hpp"
#include "sbom/sbom_attach.hpp"
#include "sbom/sbom_file.hpp"

namespace distill::cli {
namespace {

struct BuildArgs {
  std::string spec = "distill.yaml";
  std::string output;
  std::string format = "oci";
  std::vector<std::string> archs;
  std::vector<std::string> tags;
  std::string compression = "gzip";
  std::string lock;
  bool no_cache = false;
  bool sbom = false;
  std::string sbom_format = "spdx-json";
  std::vector<std::string> push;  // registry references to push the result to
  transport::CopyOptions push_options;
};

core::Result<builder::BuildOptions> options_from(const BuildArgs& a) {
  builder::BuildOptions o;
  if (a.format == "oci") {
    o.format = builder::OutputFormat::kOci;
  } else if (a.format == "docker") {
    o.format = builder::OutputFormat::kDocker;
  } else {
    return core::make_error("--format", fmt::format("unknown format '{}'", a.format),
                            "oci or docker");
  }
  if (a.compression == "gzip") {
    o.compression = oci::Compression::kGzip;
  } else if (a.compression == "zstd") {
    o.compression = oci::Compression::kZstd;
  } else {
    return core::make_error("--compression", fmt::format("unknown compression '{}'", a.compression),
                            "gzip or zstd");
  }
  o.output = !a.output.empty()                            ? a.output
             : o.format == builder::OutputFormat::kDocker ? "image.tar"
                                                          : "image";
  o.archs = a.archs;
  o.tags = a.tags;
  DISTILL_ASSIGN(o.source_date_epoch, source_date_epoch());
  return o;
}

}  // namespace

Command build_command() {
  return {
      "build", "Build a distroless image from a distill.yaml spec",
      [](CLI::App& sub, GlobalOptions& g) -> Action {
        auto a = std::make_shared<BuildArgs>();
        sub.add_option("-f,--file", a->spec, "Spec file")->capture_default_str();
        sub.add_option("-o,--output", a->output,
                       "Output: OCI layout folder (default ./image) or docker-archive tar "
                       "(default ./image.tar)");
        sub.add_option("--format", a->format, "oci or docker")->capture_default_str();
        sub.add_option("--arch", a->archs, "Architectures, comma-separated (default: the spec's)")
            ->delimiter(',');
        sub.add_option("-t,--tag", a->tags, "NAME:TAG to record (repeatable)");
        sub.add_option("--compression", a->compression, "gzip or zstd")->capture_default_str();
        sub.add_option("--lock", a->lock,
                       "Build exactly the packages this lockfile pins (distill lock -f)");
        sub.add_flag("--no-cache", a->no_cache,
                     "Resolve again and rebuild every layer instead of reusing cached ones");
        sub.add_flag("--sbom", a->sbom,
                     "Also write an SBOM beside the image and attach it to pushed images "
                     "(docs/sbom.md)");
        sub.add_option("--sbom-format", a->sbom_format, "spdx-json or cyclonedx-json")
            ->capture_default_str();
        sub.add_option("--push", a->push, "Push the image to HOST[:PORT]/REPO[:TAG] (repeatable)");
        add_copy_options(sub, a->push_options);
        return [&g, a]() -> core::Status {
          DISTILL_ASSIGN(builder::Spec spec, builder::load_spec(a->spec));
          DISTILL_ASSIGN(builder::BuildOptions opts, options_from(*a));
          DISTILL_ASSIGN(sbom::SbomFormat sbom_format, sbom::parse_sbom_format(a->sbom_format));
          opts.reuse_cache = !a->no_cache;
          opts.verbose = !g.quiet;
          std::optional<debian::Lockfile> lock;
          if (!a->lock.empty()) {
            DISTILL_ASSIGN(std::string text, core::read_file(a->lock));
            DISTILL_ASSIGN(lock, debian::Lockfile::parse(text, a->lock));
            opts.lock = &*lock;
            opts.lock_path = a->lock;
          }
          DISTILL_ASSIGN(auto session, open_session(g, spec));
          DISTILL_ASSIGN(builder::BuildReport report,
                         builder::build_image(spec, opts, *session->repo, *session->cache));
          std::printf("%s\n", report.digest.c_str());
          if (!g.quiet)
            std::fprintf(
                stderr, "distill: wrote %s (%s)\n", opts.output.c_str(),
                opts.format == builder::OutputFormat::kDocker ? "docker-archive" : "OCI layout");
          std::vector<sbom::PlatformSbom> sboms;
          if (a->sbom) {
            DISTILL_ASSIGN(
                sboms, sbom::render_platform_sboms(opts.output, sbom_format, session->cache.get()));
            DISTILL_ASSIGN(auto paths, sbom::write_sboms_beside(sboms, opts.output, sbom_format));
            if (!g.quiet)
              for (const auto& path : paths)
                std::fprintf(stderr, "distill: wrote %s\n", path.c_str());
          }
          for (const auto& ref : a->push) {
            DISTILL_TRY(run_copy(g, opts.output, ref, a->push_options));
            if (sboms.empty()) continue;
            // Attached per platform image, where scanners look for them.
            DISTILL_ASSIGN(auto attached, sbom::attach_sboms(sboms, sbom_format, ref,
                                                             a->push_options.write.remote));
            if (!g.quiet)
              for (const auto& d : attached)
                std::fprintf(stderr, "distill: attached the SBOM to %s as %s\n", ref.c_str(),
                             d.digest.str().c_str());
          }
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
