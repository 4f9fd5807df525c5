#include "runtime/bundle.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/file_util.hpp"
#include "core/strings.hpp"
#include "image/layer_stream.hpp"
#include "runtime/root_cache.hpp"
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

constexpr std::string_view kBundlePrefix = "distill-bundle";

core::Status mount_overlayfs(const std::string& target, const std::string& data) {
  // Visible to the host: nosuid and nodev, like every mount of ours.
  if (::mount("overlay", target.c_str(), "overlay", MS_NOSUID | MS_NODEV, data.c_str()) != 0)
    return core::make_error(target, std::string("cannot mount overlayfs: ") + std::strerror(errno));
  return core::Status::Ok();
}

void warn_stderr(std::string_view line) {
  std::fprintf(stderr, "distill: warning: %.*s\n", static_cast<int>(line.size()), line.data());
}

// overlayfs splits its options at ',' and lowerdir at ':', and the whole
// option string must fit in a page.
core::Result<std::string> overlay_data(const std::vector<std::string>& lowers,
                                       const std::string& bundle) {
  std::vector<std::string> dirs = lowers;
  dirs.push_back(bundle);
  for (const auto& d : dirs)
    if (d.find_first_of(",:\\") != std::string::npos)
      return core::make_error(d, "holds ',', ':' or '\\', which overlayfs options cannot");
  std::string data = "lowerdir=" + core::join(lowers, ":") + ",upperdir=" + bundle +
                     "/upper,workdir=" + bundle + "/work";
  if (data.size() >= 4000)
    return core::make_error("overlay", std::to_string(lowers.size()) +
                                           " layers make a longer mount option than a page");
  return data;
}

void unmount_root(const std::string& bundle) {
  const std::string rootfs = bundle + "/rootfs";
  // Only a mount point is unmounted: never what lies below the folder.
  struct stat here {
  }, up{};
  if (::lstat(rootfs.c_str(), &here) != 0 || ::lstat(bundle.c_str(), &up) != 0) return;
  if (!S_ISDIR(here.st_mode) || here.st_dev == up.st_dev) return;
  ::umount2(rootfs.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
}

}  // namespace

void unmount_bundles(const std::string& dir, bool stale_only) {
  if (stale_only) {
    for (const auto& path : core::stale_temporaries(dir, kBundlePrefix)) unmount_root(path);
    return;
  }
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  const std::string start = std::string(kBundlePrefix) + ".";
  while (dirent* ent = ::readdir(d)) {
    if (std::string_view(ent->d_name).starts_with(start)) unmount_root(dir + "/" + ent->d_name);
  }
  ::closedir(d);
}

Bundle::~Bundle() {
  // Detached before dir_ removes the folder, so removal never reaches into it.
  if (!mounted_.empty()) ::umount2(mounted_.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
}

core::Result<Bundle> Bundle::unpack(oci::ImageReader& reader, const oci::PlatformImage& image,
                                    const std::string& parent) {
  BundleOptions options;
  options.parent = parent;
  return unpack(reader, image, options);
}

core::Result<Bundle> Bundle::unpack(oci::ImageReader& reader, const oci::PlatformImage& image,
                                    const BundleOptions& options) {
  const auto& layers = image.manifest.layers;
  const auto& diff_ids = image.config.diff_ids;
  if (layers.size() != diff_ids.size()) {
    return core::make_error("image " + image.manifest_descriptor.digest.str(),
                            std::to_string(layers.size()) + " layers but " +
                                std::to_string(diff_ids.size()) + " diff_ids in the config");
  }
  // A killed distill's overlay first, or TempDir could not remove its bundle.
  unmount_bundles(core::temp_parent(options.parent), true);
  DISTILL_ASSIGN(core::TempDir dir, core::TempDir::create(options.parent, "distill-bundle"));
  Bundle bundle(std::move(dir));
  // rootfs/ keeps the image's setuid files and is the container's "/", so it
  // must be 0755; what keeps other host users from running those files (or
  // ones a container writes) is the bundle folder around it, 0700 and ours
  // (mkdtemp). That needs no mount, unlike a nosuid bind mount of rootfs/,
  // which would be one more thing to undo on every path out.
  const std::string rootfs = bundle.rootfs();
  if (::mkdir(rootfs.c_str(), 0755) != 0 || ::chmod(rootfs.c_str(), 0755) != 0)
    return core::make_error(rootfs, std::string("cannot create: ") + std::strerror(errno));
  if (!options.root_cache.empty()) {
    auto mounted = bundle.mount_cached(reader, image, options);
    if (mounted.ok()) return bundle;
    // A layer that does not verify is the image's fault: no copy would do better.
    if (mounted.error().code == core::ErrorCode::kIntegrity) return mounted.error();
    const auto& warn = options.warn ? options.warn : warn_stderr;
    warn(mounted.error().message() + "; unpacking the image into the bundle instead");
  }
  DISTILL_TRY(bundle.copy_layers(reader, image));
  return bundle;
}

core::Status Bundle::copy_layers(oci::ImageReader& reader, const oci::PlatformImage& image) {
  DISTILL_ASSIGN(core::UniqueFd root, open_root(rootfs()));
  RootfsWriter writer(std::move(root));
  const auto& layers = image.manifest.layers;
  for (size_t i = 0; i < layers.size(); ++i)
    DISTILL_TRY(unpack_layer(reader, layers[i], image.config.diff_ids[i], writer));
  skipped_ = writer.skipped();
  return core::Status::Ok();
}

// The layers from the cache (unpacked there first when missing), the top
// one first as overlayfs wants them; the container's writes go to upper/,
// in the bundle like everything else of this run.
core::Status Bundle::mount_cached(oci::ImageReader& reader, const oci::PlatformImage& image,
                                  const BundleOptions& options) {
  const auto& layers = image.manifest.layers;
  if (layers.empty()) return core::Status::Ok();  // an empty rootfs/ is the image
  const auto& warn = options.warn ? options.warn : warn_stderr;
  RootCache cache(options.root_cache);
  // Held until the overlay is mounted (then the mount table says the layers are in use).
  DISTILL_ASSIGN(core::UniqueFd held, cache.lock(false));
  std::vector<std::string> lowers;
  for (size_t i = layers.size(); i-- > 0;) {
    DISTILL_ASSIGN(std::string tree,
                   cache.layer(reader, layers[i], image.config.diff_ids[i], warn));
    lowers.push_back(std::move(tree));
  }
  for (const char* sub : {"/upper", "/work"}) {
    const std::string d = path() + sub;
    if (::mkdir(d.c_str(), 0755) != 0 || ::chmod(d.c_str(), 0755) != 0)
      return core::make_error(d, std::string("cannot create: ") + std::strerror(errno));
  }
  DISTILL_ASSIGN(std::string data, overlay_data(lowers, path()));
  DISTILL_TRY((options.mount ? options.mount : mount_overlayfs)(rootfs(), data));
  mounted_ = rootfs();
  return core::Status::Ok();
}

core::Result<std::string> Bundle::read_rootfs_file(std::string_view rel, size_t max_bytes) const {
  DISTILL_ASSIGN(core::UniqueFd root, open_root(rootfs()));
  return read_file_beneath(root.get(), rel, max_bytes);
}

core::Status Bundle::write_config(std::string_view json) const {
  return core::write_file_atomic(path() + "/config.json", json, 0644);
}

}  // namespace distill::runtime
