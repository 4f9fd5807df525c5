#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands_list.hpp"
#include "cli/transport_flags.hpp"
#include "image/rootfs_view.hpp"
#include "runtime/launch.hpp"
#include "runtime/runner.hpp"
#include "verify/structure_test.hpp"
#include "verify/structure_test_checks.hpp"
#include "verify/structure_test_container.hpp"
#include "verify/structure_test_report.hpp"

namespace distill::cli {
namespace {

struct TestArgs {
  std::string image;
  std::vector<std::string> configs;
  std::string platform;
  std::string output = "text";
  transport::Options transport;  // --insecure, --ca-cert
};

// The image's filesystem, with the content of the files the tests read:
// read twice, metadata first to resolve the paths, so a large image is never
// held in memory.
core::Result<image::RootfsView> read_filesystem(
    oci::ImageReader& reader, const oci::PlatformImage& img,
    const std::vector<verify::StructureTestFile>& files) {
  DISTILL_ASSIGN(image::RootfsView meta, image::RootfsView::read(reader, img));
  std::vector<std::string> paths = verify::content_paths(files, meta);
  image::RootfsOptions options;
  options.keep_content = [paths](std::string_view p) {
    return std::binary_search(paths.begin(), paths.end(), p);
  };
  return image::RootfsView::read(reader, img, options);
}

bool needs_container(const std::vector<verify::StructureTestFile>& files) {
  for (const auto& f : files)
    if (!f.commands.empty()) return true;
  return false;
}

core::Status run_tests(const TestArgs& a) {
  if (a.output != "text" && a.output != "json" && a.output != "junit")
    return core::make_error("--output " + a.output, "unknown format", "use text, json or junit");
  std::vector<verify::StructureTestFile> files;
  for (const auto& path : a.configs) {
    DISTILL_ASSIGN(verify::StructureTestFile f, verify::load_structure_test(path));
    files.push_back(std::move(f));
  }
  if (needs_container(files) && ::geteuid() != 0)
    return core::make_error("test", "commandTests need root", "they run under runc; use sudo");
  DISTILL_ASSIGN(runtime::OpenedImage opened,
                 runtime::open_one_image(a.image, a.platform, a.transport));
  const oci::PlatformImage& img = *opened.image;
  auto fs = read_filesystem(opened.source->reader(), img, files);
  if (!fs.ok()) return fs.error().with_where(a.image);
  verify::ImageUnderTest under_test;
  under_test.fs = &*fs;
  under_test.config = img.config.config;
  under_test.volumes = verify::config_volumes(img.config_json);
  runtime::SystemRuncExecutor runc;
  verify::ContainerCommandExecutor executor(opened.source->reader(), img, runc);
  std::vector<verify::TestResult> results;
  for (const auto& f : files) {
    auto r = verify::run_structure_tests(f, under_test, executor);
    results.insert(results.end(), r.begin(), r.end());
  }
  std::string report = a.output == "json"    ? verify::json_report(a.image, results)
                       : a.output == "junit" ? verify::junit_report(a.image, results)
                                             : verify::text_report(a.image, results);
  std::fputs(report.c_str(), stdout);
  std::fflush(stdout);
  verify::TestSummary s = verify::summarize(results);
  if (s.failed > 0) {
    return core::make_error(a.image, std::to_string(s.failed) + " of " + std::to_string(s.total()) +
                                         " structure tests failed");
  }
  return core::Status::Ok();
}

}  // namespace

Command test_command() {
  return {
      "test", "Run container-structure-test files (schemaVersion 1.0.0, 2.0.0) on an image",
      [](CLI::App& sub, GlobalOptions&) -> Action {
        auto a = std::make_shared<TestArgs>();
        sub.add_option("image", a->image, "OCI layout folder or docker-archive tar")->required();
        add_transport_options(sub, a->transport);
        sub.add_option("-c,--config", a->configs, "A structure test file (repeatable)")
            ->required()
            ->allow_extra_args(false);
        sub.add_option("--platform", a->platform, "os/arch[/variant] (default: the host's)");
        sub.add_option("--output,-o", a->output, "text (default), json or junit");
        return [a]() -> core::Status { return run_tests(*a); };
      }};
}

}  // namespace distill::cli
