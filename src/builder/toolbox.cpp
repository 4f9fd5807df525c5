#include "builder/toolbox.hpp"

#include "builder/image_builder.hpp"
#include "builder/spec.hpp"
#include "debian/distro.hpp"

namespace distill::builder {

core::Status build_toolbox(const std::string& arch, const std::string& output,
                           debian::Repository& repo, cache::Cache& cache) {
  const std::string yaml = "distro: " + std::string(debian::kDefaultDistro) +
                           "\n"
                           "base: static\n"
                           "debug: true\n"
                           "entrypoint: [/busybox/sh]\n";
  DISTILL_ASSIGN(Spec spec, parse_spec(yaml, "distill debug toolbox", "/"));
  BuildOptions options;
  options.output = output;
  options.archs = {arch};
  DISTILL_TRY(build_image(spec, options, repo, cache));
  return core::Status::Ok();
}

}  // namespace distill::builder
