#include "builder/output.hpp"

#include "oci/docker_archive.hpp"
#include "oci/layout_writer.hpp"

namespace distill::builder {

core::Status write_output(const BuildOptions& opts, const std::vector<oci::Image>& images,
                          BuildReport& report) {
  if (opts.format == OutputFormat::kDocker) {
    DISTILL_TRY(oci::write_docker_archive(opts.output, images, opts.tags));
    DISTILL_ASSIGN(auto meta, oci::image_metadata(images.front()));
    report.digest = meta.manifest.digest.str();
    report.archs.front().manifest_digest = report.digest;
    return core::Status::Ok();
  }
  DISTILL_ASSIGN(oci::LayoutWriter w, oci::LayoutWriter::create(opts.output));
  std::vector<oci::Descriptor> manifests;
  for (size_t i = 0; i < images.size(); ++i) {
    DISTILL_ASSIGN(oci::Descriptor d, w.add_image(images[i], oci::BlobTransfer::kCopy));
    report.archs[i].manifest_digest = d.digest.str();
    manifests.push_back(std::move(d));
  }
  oci::Descriptor top = manifests.front();
  if (manifests.size() > 1) {
    DISTILL_ASSIGN(top, w.add_index(manifests));
  }
  report.digest = top.digest.str();
  if (opts.tags.empty()) {
    DISTILL_TRY(w.add_to_index(top));
  }
  for (const auto& tag : opts.tags) {
    auto colon = tag.rfind(':');
    std::string ref = colon == std::string::npos || tag.find('/', colon) != std::string::npos
                          ? "latest"
                          : tag.substr(colon + 1);
    DISTILL_TRY(w.add_to_index(top, ref));
  }
  return w.commit();
}

}  // namespace distill::builder
