#include "runtime/bundle.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/file_util.hpp"
#include "image/layer_stream.hpp"
#include "runtime/rootfs_writer.hpp"
#include "runtime/safe_fs.hpp"

namespace distill::runtime {
namespace {

core::Result<core::UniqueFd> open_root(const std::string& path) {
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return core::make_error(path, std::string("cannot open: ") + std::strerror(errno));
  return fd;
}

core::Status unpack_layer(oci::ImageReader& reader, const oci::Descriptor& layer,
                          const oci::Digest& diff_id, RootfsWriter& writer) {
  const std::string where = "layer " + layer.digest.str();
  for (bool whiteouts : {true, false}) {
    auto visit = [&](const image::LayerEntry& e, const image::ContentReader& content) {
      if (is_whiteout_name(e.path) != whiteouts) return core::Status::Ok();
      return writer.apply(e, content);
    };
    auto digests = image::read_layer(reader, layer, visit);
    if (!digests.ok()) return digests.error().with_where(where);
    if (digests->diff_id != diff_id)
      return core::make_error(where, "uncompressed digest " + digests->diff_id.str() +
                                         " differs from the config's diff_id " + diff_id.str());
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<Bundle> Bundle::unpack(oci::ImageReader& reader, const oci::PlatformImage& image,
                                    const std::string& parent) {
  const auto& layers = image.manifest.layers;
  const auto& diff_ids = image.config.diff_ids;
  if (layers.size() != diff_ids.size()) {
    return core::make_error("image " + image.manifest_descriptor.digest.str(),
                            std::to_string(layers.size()) + " layers but " +
                                std::to_string(diff_ids.size()) + " diff_ids in the config");
  }
  DISTILL_ASSIGN(core::TempDir dir, core::TempDir::create(parent, "distill-bundle"));
  Bundle bundle(std::move(dir));
  // rootfs/ keeps the image's setuid files and is the container's "/", so it
  // must be 0755; what keeps other host users from running those files (or
  // ones a container writes) is the bundle folder around it, 0700 and ours
  // (mkdtemp). That needs no mount, unlike a nosuid bind mount of rootfs/,
  // which would be one more thing to undo on every path out.
  const std::string rootfs = bundle.rootfs();
  if (::mkdir(rootfs.c_str(), 0755) != 0 || ::chmod(rootfs.c_str(), 0755) != 0)
    return core::make_error(rootfs, std::string("cannot create: ") + std::strerror(errno));
  DISTILL_ASSIGN(core::UniqueFd root, open_root(rootfs));
  RootfsWriter writer(std::move(root));
  for (size_t i = 0; i < layers.size(); ++i)
    DISTILL_TRY(unpack_layer(reader, layers[i], diff_ids[i], writer));
  bundle.skipped_ = writer.skipped();
  return bundle;
}

core::Result<std::string> Bundle::read_rootfs_file(std::string_view rel, size_t max_bytes) const {
  DISTILL_ASSIGN(core::UniqueFd root, open_root(rootfs()));
  return read_file_beneath(root.get(), rel, max_bytes);
}

core::Status Bundle::write_config(std::string_view json) const {
  return core::write_file_atomic(path() + "/config.json", json, 0644);
}

}  // namespace distill::runtime
