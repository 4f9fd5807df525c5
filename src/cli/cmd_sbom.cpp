#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "core/file_util.hpp"
#include "image/image_source.hpp"
#include "sbom/sbom_file.hpp"

namespace distill::cli {
namespace {

struct SbomArgs {
  std::string image;
  sbom::SbomOptions options;
  std::string output;
  transport::Options transport;  // --insecure, --ca-cert
};

}  // namespace

Command sbom_command() {
  return {"sbom", "Write an image's software bill of materials (SPDX 2.3 or CycloneDX 1.5 JSON)",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto a = std::make_shared<SbomArgs>();
            add_image_argument(sub, a->image, a->transport);
            sub.add_option("--platform", a->options.platform,
                           "The platform to describe, e.g. linux/arm64");
            sub.add_option("--format", a->options.format, "spdx-json or cyclonedx-json")
                ->capture_default_str();
            sub.add_option("-o,--output", a->output, "Write to FILE (default: stdout)");
            sub.add_flag("--no-cache", a->options.no_cache,
                         "Read the image's layers even when its inventory is in the cache");
            return [&g, a]() -> core::Status {
              a->options.cache_dir = g.cache_dir;
              auto open = [&] { return transport::open_image(a->image, a->transport); };
              DISTILL_ASSIGN(std::string text, sbom::image_sbom(open, a->options));
              if (!a->output.empty()) return core::write_file_atomic(a->output, text);
              std::fwrite(text.data(), 1, text.size(), stdout);
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
