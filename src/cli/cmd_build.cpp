#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "builder/pipeline.hpp"
#include "builder/spec.hpp"
#include "cli/commands_list.hpp"
#include "cli/session.hpp"
#include "cli/transport_flags.hpp"
#include "core/file_util.hpp"
#include "core/units.hpp"
#include "sbom/sbom_file.hpp"
#include "verify/image_elf_check.hpp"

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
  bool allow_outside = false;
  bool sbom = false;
  std::string sbom_format = "spdx-json";
  std::vector<std::string> push;  // registry references to push the result to
  transport::CopyOptions push_options;
};

core::Result<builder::BuildOptions> options_from(const BuildArgs& a) {
  builder::BuildOptions o;
  if (a.format == "oci") {
    o.format = transport::Transport::kOciLayout;
  } else if (a.format == "docker") {
    o.format = transport::Transport::kDockerArchive;
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
  o.output = !a.output.empty()                                  ? a.output
             : o.format == transport::Transport::kDockerArchive ? "image.tar"
                                                                : "image";
  o.archs = a.archs;
  o.tags = a.tags;
  o.allow_outside = a.allow_outside;
  DISTILL_ASSIGN(o.source_date_epoch, source_date_epoch());
  return o;
}

void print_summary(const builder::ArchReport& r) {
  std::fprintf(stderr, "distill: %s: %zu packages, %s uncompressed, %s compressed%s\n",
               r.arch.c_str(), r.packages.size(), core::human_size(r.uncompressed_bytes).c_str(),
               core::human_size(r.compressed_bytes).c_str(),
               r.os_layer_cached ? " (package layer from cache)" : "");
  for (const auto& d : r.dropped) std::fprintf(stderr, "  %s\n", d.c_str());
  if (!r.skipped_scripts.empty()) {
    std::string list;
    for (const auto& s : r.skipped_scripts) list += (list.empty() ? "" : ", ") + s;
    std::fprintf(stderr, "  maintainer scripts not run: %s\n", list.c_str());
  }
  for (const auto& s : r.stripped)
    std::fprintf(stderr, "  setuid/setgid bit removed: %s\n", s.c_str());
  for (const auto& s : r.conflicts)
    std::fprintf(stderr, "  file conflict, first kept: %s\n", s.c_str());
}

// Prints each stage of the build as it ends: the digest on stdout, the rest
// on stderr (unless -q; ELF problems always).
class BuildPrinter : public builder::PipelineObserver {
 public:
  BuildPrinter(const GlobalOptions& g, const builder::BuildOptions& opts) : g_(g), opts_(opts) {}

  void elf_findings(const std::string& /*arch*/,
                    const std::vector<verify::ElfFinding>& findings) override {
    for (const auto& f : findings)
      std::fprintf(stderr, "distill: error: %s\n", verify::format_finding(f).c_str());
  }
  void built(const builder::BuildReport& report) override {
    if (!g_.quiet)
      for (const auto& r : report.archs) print_summary(r);
    std::printf("%s\n", report.digest.c_str());
    if (!g_.quiet)
      std::fprintf(
          stderr, "distill: wrote %s (%s)\n", opts_.output.c_str(),
          opts_.format == transport::Transport::kDockerArchive ? "docker-archive" : "OCI layout");
  }
  void sboms_written(const std::vector<std::string>& paths) override {
    if (!g_.quiet)
      for (const auto& path : paths) std::fprintf(stderr, "distill: wrote %s\n", path.c_str());
  }
  void pushed(const builder::PushReport& push) override { print_copy_result(g_, push.copy); }
  void sboms_attached(const builder::PushReport& push) override {
    if (!g_.quiet)
      for (const auto& d : push.attached)
        std::fprintf(stderr, "distill: attached the SBOM to %s as %s\n", push.ref.c_str(),
                     d.digest.str().c_str());
  }

 private:
  const GlobalOptions& g_;
  const builder::BuildOptions& opts_;
};

core::Result<builder::ShipOptions> ship_options_from(const GlobalOptions& g, const BuildArgs& a) {
  builder::ShipOptions ship;
  ship.sbom = a.sbom;
  DISTILL_ASSIGN(ship.sbom_format, sbom::parse_sbom_format(a.sbom_format));
  ship.push = a.push;
  ship.registry = a.push_options;
  ship.registry.write.progress = !g.quiet && stderr_is_tty();
  return ship;
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
        sub.add_flag("--allow-outside", a->allow_outside,
                     "Let the spec's files come from outside its folder (docs/spec.md)");
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
          DISTILL_ASSIGN(builder::ShipOptions ship, ship_options_from(g, *a));
          opts.reuse_cache = !a->no_cache;
          std::optional<debian::Lockfile> lock;
          if (!a->lock.empty()) {
            DISTILL_ASSIGN(std::string text, core::read_file(a->lock));
            DISTILL_ASSIGN(lock, debian::Lockfile::parse(text, a->lock));
            opts.lock = &*lock;
            opts.lock_path = a->lock;
          }
          DISTILL_ASSIGN(auto session, open_session(g, spec));
          BuildPrinter printer(g, opts);
          DISTILL_TRY(
              builder::build_and_ship(spec, opts, ship, *session->repo, *session->cache, &printer));
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
