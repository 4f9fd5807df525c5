#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "compare/compare_images.hpp"
#include "compare/comparison.hpp"
#include "image/image_source.hpp"

namespace distill::cli {
namespace {

struct CompareArgs {
  std::string image_a;
  std::string image_b;
  compare::CompareOptions options;
  std::string format = "table";
  transport::Options transport;  // --insecure, --ca-cert
};

}  // namespace

Command compare_command() {
  return {"compare",
          "Compare two images side by side: sizes, packages, shells, findings, size by package",
          [](CLI::App& sub, GlobalOptions& g) -> Action {
            auto a = std::make_shared<CompareArgs>();
            sub.add_option("image_a", a->image_a, "First image (OCI layout or docker-archive)")
                ->required();
            sub.add_option("image_b", a->image_b, "Second image")->required();
            add_transport_options(sub, a->transport);
            sub.add_option("--platform", a->options.platform,
                           "The platform to compare in multi-platform images, e.g. linux/amd64");
            sub.add_option("--format", a->format, "table or json")
                ->check(CLI::IsMember({"table", "json"}))
                ->capture_default_str();
            sub.add_option("--html", a->options.html,
                           "Also write a self-contained HTML report to FILE");
            sub.add_option("--db", a->options.db,
                           "Vulnerability database (default $XDG_CACHE_HOME/distill/vulndb.sqlite, "
                           "used when it exists)");
            return [a, &g]() -> core::Status {
              a->options.cache_dir = g.cache_dir;
              DISTILL_ASSIGN(
                  compare::Comparison c,
                  compare::compare_images(
                      [&] { return transport::open_image(a->image_a, a->transport); },
                      [&] { return transport::open_image(a->image_b, a->transport); }, a->options));
              std::string out =
                  a->format == "json"
                      ? compare::comparison_json(c).dump(
                            2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
                            "\n"
                      : compare::comparison_table(c);
              std::fwrite(out.data(), 1, out.size(), stdout);
              return core::Status::Ok();
            };
          }};
}

}  // namespace distill::cli
