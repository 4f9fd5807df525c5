#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/temp_dir.hpp"
#include "oci/image_reader.hpp"
#include "runtime/container.hpp"
#include "runtime/runner.hpp"
#include "runtime/runtime_spec.hpp"
#include "verify/structure_test_checks.hpp"

namespace distill::verify {

// A writable overlayfs view of a read-only folder, unmounted and removed on
// destruction.
class OverlayRoot {
 public:
  static core::Result<std::unique_ptr<OverlayRoot>> mount(const std::string& lower);
  ~OverlayRoot();
  OverlayRoot(const OverlayRoot&) = delete;
  OverlayRoot& operator=(const OverlayRoot&) = delete;
  const std::string& merged() const { return merged_; }

 private:
  explicit OverlayRoot(core::TempDir dir) : dir_(std::move(dir)) {}
  core::TempDir dir_;
  std::string merged_;
};

// Runs commandTests under runc, as `distill run --entrypoint ""` would: the
// image is unpacked once, on the first command, and each command gets a
// fresh container; a test's setup, command and teardown share a host
// folder mounted as /tmp and, as upstream's containers are writable, an
// overlay of the unpacked image that takes their writes and is thrown away
// after the test (read-only root where overlayfs cannot be mounted).
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
  std::unique_ptr<core::TempDir> tmp_;
  std::unique_ptr<OverlayRoot> overlay_;  // declared after tmp_: unmounted first
  bool overlay_failed_ = false;
};

}  // namespace distill::verify
