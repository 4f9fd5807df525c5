#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "builder/toolbox.hpp"
#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "core/temp_dir.hpp"
#include "debian/distro.hpp"
#include "debian/solve.hpp"
#include "runtime/debug_session.hpp"

namespace distill::cli {
namespace {

struct DebugArgs {
  runtime::DebugRequest request;
  std::string image;             // --image: the toolbox; default: busybox, built here
  transport::Options transport;  // for an image target and --image
  std::optional<core::TempDir> toolbox_dir;
};

}  // namespace

Command debug_command() {
  return {
      "debug",
      "Start a toolbox next to a running container (or an image): its processes, "
      "network and files, the target unchanged",
      [](CLI::App& sub, GlobalOptions& g) -> Action {
        auto a = std::make_shared<DebugArgs>();
        sub.add_option("target", a->request.target,
                       "A container of distill ps, else an image to start for the session")
            ->required();
        sub.add_option("command", a->request.command,
                       "Run this in the toolbox (after --; default: its shell)");
        sub.add_option("--image", a->image,
                       "The toolbox image (default: Debian's busybox-static, as debug: true "
                       "has it)");
        sub.add_option("--platform", a->request.platform,
                       "os/arch[/variant] of an image target (default: the host's)");
        add_transport_options(sub, a->transport);
        sub.positionals_at_end();
        return [&g, a]() -> core::Status {
          std::vector<std::string>& command = a->request.command;
          if (!command.empty() && command.front() == "--") command.erase(command.begin());
          auto open_target = [a] { return transport::open_image(a->request.target, a->transport); };
          image::ImageOpener open_toolbox = [a] {
            return transport::open_image(a->image, a->transport);
          };
          if (a->image.empty()) {
            open_toolbox = [&g, a]() -> core::Result<std::unique_ptr<image::ImageSource>> {
              DISTILL_ASSIGN(auto session, open_session(g, std::string(debian::kDefaultDistro)));
              DISTILL_ASSIGN(core::TempDir dir, core::TempDir::create({}, "distill-toolbox"));
              a->toolbox_dir.emplace(std::move(dir));
              const std::string layout = a->toolbox_dir->path() + "/image";
              DISTILL_TRY(builder::build_toolbox(debian::host_arch(), layout, *session->repo,
                                                 *session->cache));
              return transport::open_image("oci:" + layout);
            };
          }
          runtime::SystemRuncExecutor executor(runtime::SystemRuncExecutor::kDefaultGraceSeconds,
                                               true);
          runtime::StateStore store(runtime::StateStore::default_root());
          // The toolbox's exit code is ours.
          DISTILL_ASSIGN(g.exit_code, runtime::debug_container(a->request, open_target,
                                                               open_toolbox, executor, store));
          return core::Status::Ok();
        };
      }};
}

}  // namespace distill::cli
