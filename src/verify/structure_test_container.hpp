#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/temp_dir.hpp"
#include "oci/image_reader.hpp"
#include "runtime/bundle.hpp"
#include "runtime/runner.hpp"
#include "verify/structure_test_checks.hpp"

namespace distill::verify {

// Runs commandTests under runc, as `distill run --entrypoint ""` would: the
// image is unpacked once, on the first command, and each command gets a
// fresh container; a test's setup, command and teardown share a host
// folder mounted as /tmp (the root stays read-only).
class ContainerCommandExecutor : public CommandExecutor {
 public:
  ContainerCommandExecutor(oci::ImageReader& reader, const oci::PlatformImage& image,
                           runtime::RuncExecutor& runc)
      : reader_(reader), image_(image), runc_(runc) {}

  core::Status begin_test() override;
  core::Result<core::ProcessResult> run(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env) override;

 private:
  oci::ImageReader& reader_;
  const oci::PlatformImage& image_;
  runtime::RuncExecutor& runc_;
  std::string runc_path_;
  std::optional<runtime::Bundle> bundle_;
  std::unique_ptr<core::TempDir> tmp_;
};

}  // namespace distill::verify
