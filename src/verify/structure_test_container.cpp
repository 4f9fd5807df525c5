#include "verify/structure_test_container.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "runtime/launch.hpp"

namespace distill::verify {

core::Status ContainerCommandExecutor::begin_test() {
  tmp_.reset();
  DISTILL_ASSIGN(core::TempDir tmp, core::TempDir::create({}, "distill-test-tmp"));
  if (::chmod(tmp.path().c_str(), 01777) != 0)
    return core::make_error(tmp.path(), std::string("cannot chmod: ") + std::strerror(errno));
  tmp_ = std::make_unique<core::TempDir>(std::move(tmp));
  return core::Status::Ok();
}

core::Result<core::ProcessResult> ContainerCommandExecutor::run(
    const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  if (!bundle_) {
    DISTILL_ASSIGN(runc_path_, runtime::find_runc());
    DISTILL_ASSIGN(runtime::Bundle b, runtime::Bundle::unpack(reader_, image_));
    bundle_.emplace(std::move(b));
  }
  runtime::RunOptions options;
  options.entrypoint = std::vector<std::string>{};
  options.args = argv;
  options.env = env;
  if (tmp_) options.tmp_source = tmp_->path();
  DISTILL_ASSIGN(std::string spec,
                 runtime::bundle_spec_json(*bundle_, image_.config.config, options));
  DISTILL_TRY(bundle_->write_config(spec));
  runtime::ContainerRunner runner(runc_, runc_path_);
  return runner.run_captured(bundle_->path());
}

}  // namespace distill::verify
