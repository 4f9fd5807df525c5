#include "verify/structure_test_run.hpp"

#include <unistd.h>

#include <algorithm>

#include "image/rootfs_view.hpp"
#include "runtime/launch.hpp"
#include "verify/structure_test.hpp"
#include "verify/structure_test_container.hpp"
#include "verify/structure_test_report.hpp"

namespace distill::verify {
namespace {

// The image's filesystem, with the content of the files the tests read:
// read twice, metadata first to resolve the paths, so a large image is never
// held in memory.
core::Result<image::RootfsView> read_tested_filesystem(
    oci::ImageReader& reader, const oci::PlatformImage& img,
    const std::vector<StructureTestFile>& files) {
  DISTILL_ASSIGN(image::RootfsView meta, image::RootfsView::read(reader, img));
  std::vector<std::string> paths = content_paths(files, meta);
  image::RootfsOptions options;
  options.keep_content = [paths](std::string_view p) {
    return std::binary_search(paths.begin(), paths.end(), p);
  };
  return image::RootfsView::read(reader, img, options);
}

bool needs_container(const std::vector<StructureTestFile>& files) {
  for (const auto& f : files)
    if (!f.commands.empty()) return true;
  return false;
}

}  // namespace

core::Result<StructureTestRun> run_structure_test_files(const image::ImageOpener& open,
                                                        const StructureTestOptions& o,
                                                        runtime::RuncExecutor& runc) {
  if (o.output != "text" && o.output != "json" && o.output != "junit")
    return core::make_error("--output " + o.output, "unknown format", "use text, json or junit");
  std::vector<StructureTestFile> files;
  for (const auto& path : o.configs) {
    DISTILL_ASSIGN(StructureTestFile f, load_structure_test(path));
    files.push_back(std::move(f));
  }
  if (needs_container(files) && ::geteuid() != 0)
    return core::make_error("test", "commandTests need root", "they run under runc; use sudo");
  DISTILL_ASSIGN(auto source, open());
  StructureTestRun run{source->name().text, o.configs, {}};
  DISTILL_ASSIGN(const oci::PlatformImage* img, runtime::select_one_image(*source, o.platform));
  auto fs = read_tested_filesystem(source->reader(), *img, files);
  if (!fs.ok()) return fs.error().with_where(run.image);
  ImageUnderTest under_test;
  under_test.fs = &*fs;
  under_test.config = img->config.config;
  under_test.volumes = config_volumes(img->config_json);
  ContainerCommandExecutor executor(source->reader(), *img, runc);
  for (const auto& f : files) {
    auto r = run_structure_tests(f, under_test, executor);
    run.results.insert(run.results.end(), r.begin(), r.end());
  }
  return run;
}

std::string structure_test_report(const StructureTestRun& run, const StructureTestOptions& o) {
  if (o.output == "json") return json_report(run.results);
  if (o.output == "junit") return junit_report(run.results, o.junit_suite_name);
  return text_report(run.files, run.results);
}

core::Status structure_test_status(const StructureTestRun& run) {
  TestSummary s = summarize(run.results);
  if (s.total() == 0)
    return core::make_error(run.image, "no tests run", "check the files' test lists");
  if (s.failed == 0) return core::Status::Ok();
  return core::make_error(run.image, std::to_string(s.failed) + " of " + std::to_string(s.total()) +
                                         " structure tests failed");
}

}  // namespace distill::verify
