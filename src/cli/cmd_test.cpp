#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "image/image_source.hpp"
#include "runtime/runner.hpp"
#include "verify/structure_test_run.hpp"

namespace distill::cli {
namespace {

struct TestArgs {
  std::string image;
  verify::StructureTestOptions options;
  transport::Options transport;  // --insecure, --ca-cert
};

}  // namespace

Command test_command() {
  return {
      "test", "Run container-structure-test files (schemaVersion 1.0.0, 2.0.0) on an image",
      [](CLI::App& sub, GlobalOptions&) -> Action {
        auto a = std::make_shared<TestArgs>();
        sub.add_option("image", a->image, "OCI layout folder or docker-archive tar")->required();
        add_transport_options(sub, a->transport);
        sub.add_option("-c,--config", a->options.configs, "A structure test file (repeatable)")
            ->required()
            ->allow_extra_args(false);
        sub.add_option("--platform", a->options.platform,
                       "os/arch[/variant] (default: the host's)");
        sub.add_option("--output,-o", a->options.output, "text (default), json or junit");
        sub.add_option("--junit-suite-name", a->options.junit_suite_name,
                       "The JUnit test suite's name (default: container-structure-test.test)");
        return [a]() -> core::Status {
          runtime::SystemRuncExecutor runc;
          auto open = [&] { return transport::open_image(a->image, a->transport); };
          DISTILL_ASSIGN(verify::StructureTestRun run,
                         verify::run_structure_test_files(open, a->options, runc));
          std::fputs(verify::structure_test_report(run, a->options).c_str(), stdout);
          std::fflush(stdout);
          return verify::structure_test_status(run);
        };
      }};
}

}  // namespace distill::cli
