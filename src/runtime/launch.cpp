#include "runtime/launch.hpp"

#include "debian/solve.hpp"
#include "runtime/user.hpp"

namespace distill::runtime {
namespace {

std::string host_platform() {
  return "linux/" + debian::host_arch();
}

// An absent /etc/passwd or /etc/group is an empty one.
std::string optional_file(const Bundle& bundle, std::string_view rel) {
  auto text = bundle.read_rootfs_file(rel);
  return text.ok() ? std::move(*text) : std::string();
}

}  // namespace

core::Result<const oci::PlatformImage*> select_one_image(image::ImageSource& source,
                                                         std::string_view platform) {
  DISTILL_ASSIGN(auto selected, source.select_platform(platform));
  if (selected.size() > 1 && platform.empty() && !host_platform().empty()) {
    DISTILL_ASSIGN(selected, source.select_platform(host_platform()));
  }
  if (selected.size() != 1) {
    return core::make_error(source.name().text,
                            "holds " + std::to_string(selected.size()) + " images",
                            "choose one with --platform or IMAGE:TAG");
  }
  return selected.front();
}

core::Result<std::string> bundle_spec_json(const Bundle& bundle, const oci::ContainerConfig& config,
                                           const RunOptions& options) {
  const std::string& user_spec = options.user ? *options.user : config.user;
  auto user = resolve_user(user_spec, optional_file(bundle, "etc/passwd"),
                           optional_file(bundle, "etc/group"));
  if (!user.ok()) return user.error();
  return runtime_spec_json(config, options, *user);
}

}  // namespace distill::runtime
