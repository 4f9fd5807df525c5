#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "cache/cache.hpp"
#include "cli/commands_list.hpp"
#include "core/file_util.hpp"
#include "registry/copy.hpp"
#include "registry/copy_checks.hpp"
#include "registry/reference.hpp"
#include "sbom/sbom_attach.hpp"

namespace distill::cli {

void add_registry_options(CLI::App& sub, registry::CopyOptions& o) {
  sub.add_flag("--insecure", o.remote.insecure,
               "Allow plain HTTP and unverified TLS (loopback registries allow HTTP anyway)");
  sub.add_option("--ca-cert", o.remote.ca_file, "Extra CA certificate bundle (PEM) to trust");
  sub.add_option("--parallel", o.parallel, "Blob transfers at a time")->capture_default_str();
  sub.add_option("--chunk-size", o.remote.chunk_size,
                 "Upload blobs larger than BYTES in chunks of BYTES (raised to the registry's "
                 "OCI-Chunk-Min-Length); 0: one request per blob")
      ->capture_default_str();
}

void print_copy_result(const GlobalOptions& g, const registry::CopyResult& r) {
  std::printf("%s@%s\n", r.destination.c_str(), r.top.digest.str().c_str());
  if (!g.quiet && (r.uploaded || r.mounted || r.skipped))
    std::fprintf(stderr, "distill: %d blob(s) uploaded, %d mounted, %d already there\n", r.uploaded,
                 r.mounted, r.skipped);
}

core::Status run_copy(const GlobalOptions& g, const std::string& src, const std::string& dst,
                      registry::CopyOptions options) {
  options.hints_path =
      registry::blob_hints_path(g.cache_dir.empty() ? cache::Cache::default_root() : g.cache_dir);
  DISTILL_TRY(registry::check_copy_options(options));
  options.progress = !g.quiet && ::isatty(STDERR_FILENO) == 1;
  DISTILL_ASSIGN(registry::CopyResult r, registry::copy_image(src, dst, options));
  print_copy_result(g, r);
  return core::Status::Ok();
}

Command push_command() {
  return {"push", "Push an OCI layout or docker-archive to a registry",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto src = std::make_shared<std::string>();
            auto dst = std::make_shared<std::string>();
            auto o = std::make_shared<registry::CopyOptions>();
            auto sbom_file = std::make_shared<std::string>();
            sub.add_option("IMAGE", *src, "OCI layout folder or docker-archive tar")->required();
            sub.add_option("REF", *dst, "HOST[:PORT]/REPOSITORY[:TAG]")->required();
            sub.add_option("--sbom", *sbom_file,
                           "Attach this SPDX or CycloneDX JSON file to the pushed image");
            add_registry_options(sub, *o);
            return [&g, src, dst, o, sbom_file]() -> core::Status {
              if (!registry::looks_like_reference(*dst))
                return core::make_error(*dst, "is not a registry reference",
                                        "write HOST[:PORT]/REPOSITORY[:TAG]");
              std::string text;
              sbom::SbomFormat format = sbom::SbomFormat::kSpdxJson;
              if (!sbom_file->empty()) {  // checked before anything is pushed
                DISTILL_ASSIGN(text, core::read_file(*sbom_file));
                DISTILL_ASSIGN(format, sbom::detect_sbom_format(text, *sbom_file));
              }
              DISTILL_TRY(run_copy(g, *src, *dst, *o));
              if (sbom_file->empty()) return core::Status::Ok();
              // The copy pushed the source's one top descriptor as it is.
              DISTILL_ASSIGN(auto source, registry::open_source(*src, o->remote));
              sbom::PlatformSbom s{"", source->tops().front(), std::move(text)};
              DISTILL_ASSIGN(auto attached, sbom::attach_sboms({s}, format, *dst, o->remote));
              if (!g.quiet)
                std::fprintf(stderr, "distill: attached %s to %s as %s\n", sbom_file->c_str(),
                             dst->c_str(), attached.front().digest.str().c_str());
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
