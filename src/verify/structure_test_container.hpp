#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oci/image_reader.hpp"
#include "runtime/container.hpp"
#include "runtime/private_mount.hpp"
#include "runtime/runner.hpp"
#include "runtime/runtime_spec.hpp"
#include "verify/structure_test_checks.hpp"

namespace distill::verify {

// Runs commandTests under runc, as `distill run --entrypoint ""` would: the
// image is unpacked once, on the first command, and each command gets a
// fresh container; a test's setup, command and teardown share a tmpfs
// mounted as /tmp and, as upstream's containers are writable, an overlay of
// the unpacked image that takes their writes; both are thrown away after the
// test (read-only root where overlayfs cannot be mounted). Both are host
// mounts in private folders (runtime::PrivateMount), out of other users' reach.
class ContainerCommandExecutor : public CommandExecutor {
 public:
  ContainerCommandExecutor(oci::ImageReader& reader, const oci::PlatformImage& image,
                           runtime::RuncExecutor& runc)
      : reader_(reader), image_(image), runc_(runc) {}

  core::Status configure(const ContainerRunOptions& options) override;
  core::Status begin_test() override;
  core::Result<core::ProcessResult> run(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env) override;

 private:
  oci::ImageReader& reader_;
  const oci::PlatformImage& image_;
  runtime::RuncExecutor& runc_;
  // Mounts this test's overlay over the unpacked image, once per test.
  core::Status prepare_overlay();

  runtime::RunOptions base_options_;  // from containerRunOptions

  std::optional<runtime::Container> container_;  // unpacked on the first command
  std::unique_ptr<runtime::PrivateMount> tmp_;
  std::unique_ptr<runtime::PrivateMount> overlay_;
  bool overlay_failed_ = false;
};

}  // namespace distill::verify
