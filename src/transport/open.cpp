#include "transport/open.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "oci/docker_archive_reader.hpp"
#include "oci/layout_reader.hpp"
#include "registry/registry_reader.hpp"

namespace distill::transport {
namespace {

core::Result<std::unique_ptr<oci::ImageReader>> open_layout(const std::string& path,
                                                            const oci::ReaderLimits& limits) {
  // Say what is wrong with a random folder rather than "oci-layout: No such file".
  struct stat st {};
  if (::lstat((path + "/oci-layout").c_str(), &st) != 0 && errno == ENOENT)
    return core::make_error(path, "is not an OCI image layout (it has no oci-layout file)",
                            "give the folder `distill build` or `skopeo copy ... oci:DIR` wrote");
  DISTILL_ASSIGN(auto reader, oci::LayoutReader::open(path, limits));
  return std::unique_ptr<oci::ImageReader>(std::move(reader));
}

}  // namespace

core::Result<std::unique_ptr<oci::ImageReader>> open_reader(const ImageRef& ref,
                                                            const Options& options) {
  switch (ref.transport) {
    case Transport::kOciLayout:
      return open_layout(ref.path, options.limits);
    case Transport::kDockerArchive: {
      DISTILL_ASSIGN(auto reader, oci::DockerArchiveReader::open(ref.path, options.limits));
      return std::unique_ptr<oci::ImageReader>(std::move(reader));
    }
    case Transport::kRegistry:
      return registry::open_registry_reader(ref.text, options.remote, options.limits);
  }
  return core::make_error(ref.text, "unknown transport");
}

core::Result<std::unique_ptr<image::ImageSource>> open_image(std::string_view text,
                                                             const Options& options) {
  DISTILL_ASSIGN(ImageRef ref, parse_image_ref(text));
  DISTILL_ASSIGN(auto reader, open_reader(ref, options));
  return image::ImageSource::open(std::move(reader), ref.source_name());
}

}  // namespace distill::transport
