#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"

namespace distill::cli {

Command copy_command() {
  return {
      "copy", "Copy an image between OCI layouts, docker-archives and registries",
      [](CLI::App& sub, GlobalOptions& g) -> Action {
        auto src = std::make_shared<std::string>();
        auto dst = std::make_shared<std::string>();
        auto o = std::make_shared<transport::CopyOptions>();
        sub.add_option("SRC", *src, "OCI layout, docker-archive or registry reference")->required();
        sub.add_option("DST", *dst,
                       "DIR, oci:DIR[:TAG], docker-archive:FILE[:NAME:TAG] or registry reference")
            ->required();
        sub.add_option("--platform", o->platform, "Only this os/arch[/variant] of an index");
        add_copy_options(sub, *o);
        return [&g, src, dst, o]() -> core::Status {
          DISTILL_TRY(run_copy(g, *src, *dst, *o));
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
