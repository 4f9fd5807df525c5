#include "builder/image_config.hpp"

#include <fmt/format.h>

#include <map>

#include "builder/healthcheck.hpp"
#include "core/time.hpp"
#include "oci/image_config.hpp"
#include "oci/platform.hpp"

namespace distill::builder {
namespace {

void add_history(oci::Image& image, const Spec& spec, const Preset& preset, const std::string& arch,
                 const std::vector<ImageLayer>& layers) {
  for (const auto& l : layers) {
    if (l.name == "files") {
      image.config.history.push_back({"distill build: files", "application files", false});
      continue;
    }
    std::string what =
        l.name == "image" ? "system files and changed packages" : "distroless packages";
    image.config.history.push_back({fmt::format("distill build: {} {} {} layer {} ({} packages)",
                                                spec.distro, preset.name, arch, l.name, l.packages),
                                    what, false});
  }
}

}  // namespace

std::vector<std::string> image_env(const Spec& spec, const Preset& preset) {
  std::map<std::string, std::string> env = {
      {"PATH", std::string(oci::kDefaultPath) + (spec.debug ? ":/busybox" : "")},
      {"SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"}};
  for (const auto& [k, v] : preset.env) env[k] = v;
  for (const auto& [k, v] : spec.env) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

core::Result<oci::Image> make_image(const Spec& spec, const Preset& preset, const std::string& arch,
                                    const BuildOptions& opts,
                                    const std::vector<ImageLayer>& layers) {
  oci::Image image;
  DISTILL_ASSIGN(image.config.platform, oci::platform_for_debian_arch(arch));
  auto& c = image.config.config;
  c.user = fmt::format("{}:{}", spec.user.uid, spec.user.gid);
  c.env = image_env(spec, preset);
  c.entrypoint = spec.entrypoint;
  c.cmd = spec.cmd;
  c.working_dir = spec.workdir;
  c.exposed_ports.insert(spec.ports.begin(), spec.ports.end());
  c.labels = spec.labels;
  if (spec.healthcheck) c.healthcheck = image_healthcheck(*spec.healthcheck);
  image.config.created = opts.source_date_epoch;
  for (const auto& l : layers) image.layers.push_back(l.blob);
  add_history(image, spec, preset, arch, layers);
  image.annotations["org.opencontainers.image.created"] =
      core::format_rfc3339(opts.source_date_epoch);
  image.annotations["org.opencontainers.image.base.name"] =
      fmt::format("distill/{}:{}", preset.name, spec.distro);
  for (const auto& [k, v] : spec.annotations) image.annotations[k] = v;
  return image;
}

}  // namespace distill::builder
