#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "image/image_source.hpp"
#include "image/inspection.hpp"

namespace distill::cli {
namespace {

struct InspectArgs {
  std::string image;
  image::InspectOptions options;
  bool as_json = false;
  transport::Options transport;  // --insecure, --ca-cert
};

}  // namespace

Command inspect_command() {
  return {
      "inspect", "Show an image's platforms, config, layers, packages and sizes",
      [](CLI::App& sub, GlobalOptions&) -> Action {
        auto a = std::make_shared<InspectArgs>();
        add_image_argument(sub, a->image, a->transport);
        sub.add_option("--platform", a->options.platform,
                       "Only this platform, e.g. linux/arm64 (default: all)");
        sub.add_flag("--json", a->as_json, "Print one JSON document for scripts");
        return [a]() -> core::Status {
          DISTILL_ASSIGN(auto source, transport::open_image(a->image, a->transport));
          DISTILL_ASSIGN(image::Inspection inspection, image::inspect_image(*source, a->options));
          std::string out =
              a->as_json
                  ? image::inspection_json(inspection)
                            .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
                        "\n"
                  : image::inspection_text(inspection);
          std::fwrite(out.data(), 1, out.size(), stdout);
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
