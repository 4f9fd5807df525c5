#include <fmt/format.h>

#include <cstdio>

#include "cache/cache.hpp"
#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "core/file_util.hpp"
#include "registry/reference.hpp"
#include "sbom/sbom_attach.hpp"

namespace distill::cli {

Command push_command() {
  return {"push", "Push an OCI layout or docker-archive to a registry",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto src = std::make_shared<std::string>();
            auto dst = std::make_shared<std::string>();
            auto o = std::make_shared<transport::CopyOptions>();
            auto sbom_file = std::make_shared<std::string>();
            sub.add_option("IMAGE", *src, "OCI layout folder or docker-archive tar")->required();
            sub.add_option("REF", *dst, "HOST[:PORT]/REPOSITORY[:TAG]")->required();
            sub.add_option("--sbom", *sbom_file,
                           "Attach this SPDX or CycloneDX JSON file to the pushed image");
            add_copy_options(sub, *o);
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
              DISTILL_ASSIGN(transport::CopyResult pushed, run_copy(g, *src, *dst, *o));
              if (sbom_file->empty()) return core::Status::Ok();
              sbom::PlatformSbom s{"", pushed.top, std::move(text)};
              DISTILL_ASSIGN(auto attached, sbom::attach_sboms({s}, format, *dst, o->write.remote));
              if (!g.quiet)
                std::fprintf(stderr, "distill: attached %s to %s as %s\n", sbom_file->c_str(),
                             dst->c_str(), attached.front().digest.str().c_str());
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
