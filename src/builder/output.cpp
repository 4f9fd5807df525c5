#include "builder/output.hpp"

#include "oci/built_image.hpp"
#include "transport/copy.hpp"

namespace distill::builder {

core::Status write_output(const BuildOptions& opts, const std::vector<oci::Image>& images,
                          BuildReport& report) {
  if (opts.format == transport::Transport::kDockerArchive && images.size() != 1)
    return core::make_error(opts.output, "docker-archive holds one platform",
                            "use --format oci or pick --arch");
  // What was built is a source like any other: the same sinks write it.
  DISTILL_ASSIGN(auto built, oci::BuiltImage::create(images));
  for (size_t i = 0; i < images.size(); ++i)
    report.archs[i].manifest_digest = built->manifests()[i].digest.str();
  report.digest = built->top().digest.str();
  transport::Destination dst{opts.format, opts.output, {}};
  DISTILL_TRY(transport::write_image(*built, built->top(), dst,
                                     transport::names_for_tags(opts.format, opts.tags), {}));
  return core::Status::Ok();
}

}  // namespace distill::builder
