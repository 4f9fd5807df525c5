#include "registry/transfer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "core/fd_io.hpp"
#include "core/progress.hpp"
#include "core/temp_dir.hpp"
#include "core/thread_pool.hpp"
#include "core/unique_fd.hpp"
#include "oci/docker_archive.hpp"
#include "oci/image.hpp"
#include "oci/image_config.hpp"
#include "oci/layout_writer.hpp"
#include "oci/media_types.hpp"
#include "oci/platform.hpp"
#include "registry/blob_stream.hpp"

namespace distill::registry {
namespace {

constexpr int64_t kMaxMetadata = 8 << 20;

core::Status walk(oci::ImageReader& src, const oci::Descriptor& d, int depth, ImageTree& tree,
                  std::set<oci::Digest>& seen_blobs) {
  if (depth > 4) return core::make_error(d.digest.str(), "image indexes are nested too deeply");
  for (const auto& n : tree.manifests)
    if (n.descriptor.digest == d.digest) return core::Status::Ok();
  DISTILL_ASSIGN(std::string body, src.read_blob(d, kMaxMetadata));
  if (oci::is_index_media_type(d.media_type)) {
    DISTILL_ASSIGN(oci::Index index, oci::parse_index(body, d.digest.str()));
    for (const auto& m : index.manifests) {
      if (!oci::is_manifest_media_type(m.media_type) && !oci::is_index_media_type(m.media_type))
        return core::make_error(
            d.digest.str(),
            "index lists " + m.digest.str() + " of unsupported media type '" + m.media_type + "'");
      DISTILL_TRY(walk(src, m, depth + 1, tree, seen_blobs));
    }
  } else if (oci::is_manifest_media_type(d.media_type)) {
    DISTILL_ASSIGN(oci::Manifest m, oci::parse_manifest(body, d.digest.str()));
    auto add = [&](const oci::Descriptor& b) {
      if (seen_blobs.insert(b.digest).second) tree.blobs.push_back(b);
    };
    add(m.config);
    for (const auto& l : m.layers) add(l);
  } else {
    return core::make_error(d.digest.str(), "unsupported media type '" + d.media_type + "'");
  }
  tree.manifests.push_back({d, std::move(body)});
  return core::Status::Ok();
}

// A bar over `blobs` when asked for (a terminal), else nothing.
std::unique_ptr<core::Progress> make_progress(bool wanted, const char* label,
                                              const std::vector<oci::Descriptor>& blobs) {
  if (!wanted) return nullptr;
  uint64_t bytes = 0;
  for (const auto& b : blobs) bytes += static_cast<uint64_t>(std::max<int64_t>(b.size, 0));
  return std::make_unique<core::Progress>(label, blobs.size(), bytes);
}

// Streams a verified blob into `path`.
core::Status fetch_to_file(oci::ImageReader& src, const oci::Descriptor& d, const std::string& path,
                           core::Progress* progress) {
  core::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return core::make_error(path, std::strerror(errno));
  int64_t written = 0;
  core::Status s = src.stream_blob(d, [&](std::string_view chunk) -> core::Status {
    if (progress) progress->add_bytes(static_cast<int64_t>(chunk.size()));
    written += static_cast<int64_t>(chunk.size());
    if (!core::write_all(fd.get(), chunk)) return core::make_error(path, std::strerror(errno));
    return core::Status::Ok();
  });
  if (progress) {
    if (s.ok())
      progress->item_done();
    else
      progress->add_bytes(-written);
  }
  return s;
}

// Local readers stream from one file or archive: only a registry is read in parallel.
int reader_threads(const oci::ImageReader& src, int parallel) {
  return src.kind() == oci::ImageSourceKind::kRegistry ? parallel : 1;
}

core::Status push_blob(oci::ImageReader& src, const oci::Descriptor& b, Client& dst,
                       const Reference& ref, const PushOptions& options, core::Progress* progress) {
  // Blobs the registry has (or mounts) count as done at once.
  auto done_without_upload = [&] {
    if (progress) {
      progress->add_bytes(b.size);
      progress->item_done();
    }
    return core::Status::Ok();
  };
  DISTILL_ASSIGN(bool there, dst.blob_exists(ref.repository, b.digest));
  if (there) {
    ++dst.stats().skipped;
    return done_without_upload();
  }
  std::vector<std::string> sources;
  if (!options.mount_from.empty() && options.mount_from != ref.repository)
    sources.push_back(options.mount_from);
  if (options.hints) {
    auto more = options.hints->repositories(dst.registry(), b.digest, ref.repository);
    sources.insert(sources.end(), more.begin(), more.end());
  }
  for (const auto& from : sources) {
    DISTILL_ASSIGN(bool mounted, dst.mount_blob(ref.repository, b.digest, from));
    if (mounted) return done_without_upload();
  }
  BlobStream body(src, b, progress);
  DISTILL_TRY(dst.upload_blob(ref.repository, b.digest, body));
  if (progress) progress->item_done();
  return core::Status::Ok();
}

}  // namespace

core::Result<ImageTree> read_tree(oci::ImageReader& src, const oci::Descriptor& top) {
  ImageTree tree;
  std::set<oci::Digest> seen;
  DISTILL_TRY(walk(src, top, 0, tree, seen));
  return tree;
}

core::Result<oci::Descriptor> select_platform(oci::ImageReader& src, const oci::Descriptor& top,
                                              std::string_view platform) {
  if (platform.empty()) return top;
  DISTILL_ASSIGN(oci::Platform want, oci::parse_platform(platform));
  auto matches = [&](const oci::Platform& p) {
    return p.os == want.os && p.architecture == want.architecture &&
           (want.variant.empty() || p.variant == want.variant);
  };
  DISTILL_ASSIGN(std::string body, src.read_blob(top, kMaxMetadata));
  if (oci::is_manifest_media_type(top.media_type)) {
    DISTILL_ASSIGN(oci::Manifest m, oci::parse_manifest(body, top.digest.str()));
    DISTILL_ASSIGN(std::string config_json, src.read_blob(m.config, kMaxMetadata));
    DISTILL_ASSIGN(oci::ImageConfig config,
                   oci::parse_image_config(config_json, m.config.digest.str()));
    if (matches(config.platform)) return top;
    return core::make_error(top.digest.str(), "has no image for platform " + std::string(platform),
                            "it is " + config.platform.str());
  }
  DISTILL_ASSIGN(oci::Index index, oci::parse_index(body, top.digest.str()));
  std::string available;
  for (const auto& m : index.manifests) {
    if (!m.platform) continue;
    available += (available.empty() ? "" : ", ") + m.platform->str();
    if (matches(*m.platform) && oci::is_manifest_media_type(m.media_type)) return m;
  }
  return core::make_error(
      top.digest.str(), "has no image for platform " + std::string(platform),
      available.empty() ? "its index names no platforms" : "it has: " + available);
}

core::Result<oci::Descriptor> push_image(oci::ImageReader& src, const oci::Descriptor& top,
                                         Client& dst, const Reference& ref,
                                         const PushOptions& options) {
  DISTILL_ASSIGN(ImageTree tree, read_tree(src, top));
  // The registry already serves this image under the reference: a manifest
  // is only accepted once everything it references is there.
  DISTILL_ASSIGN(std::string current, dst.manifest_digest(ref.repository, ref.identifier()));
  if (current == top.digest.str()) {
    dst.stats().skipped += static_cast<int>(tree.blobs.size());
    return top;
  }
  auto progress = make_progress(options.progress, "Pushing", tree.blobs);
  DISTILL_TRY(core::run_parallel(tree.blobs.size(), options.parallel, [&](size_t i) {
    return push_blob(src, tree.blobs[i], dst, ref, options, progress.get());
  }));
  if (progress) progress->finish();
  if (options.hints) {
    std::vector<oci::Digest> digests;
    for (const auto& b : tree.blobs) digests.push_back(b.digest);
    options.hints->add(dst.registry(), ref.repository, digests);
    // The hints only save work later: failing to record them fails nothing.
    (void)options.hints->save();
  }
  for (const auto& node : tree.manifests) {
    DISTILL_TRY(dst.put_manifest(ref.repository, node.descriptor.digest.str(),
                                 node.descriptor.media_type, node.body));
  }
  if (!ref.tag.empty()) {
    const auto& last = tree.manifests.back();
    DISTILL_TRY(dst.put_manifest(ref.repository, ref.tag, last.descriptor.media_type, last.body));
  }
  return top;
}

core::Status write_layout(oci::ImageReader& src, const oci::Descriptor& top, const std::string& out,
                          const std::string& tag, int parallel, bool show_progress) {
  DISTILL_ASSIGN(ImageTree tree, read_tree(src, top));
  DISTILL_ASSIGN(oci::LayoutWriter writer, oci::LayoutWriter::create(out));
  std::vector<std::string> paths;
  for (size_t i = 0; i < tree.blobs.size(); ++i) paths.push_back(writer.scratch_path());
  auto progress = make_progress(show_progress, "Pulling", tree.blobs);
  DISTILL_TRY(core::run_parallel(tree.blobs.size(), reader_threads(src, parallel), [&](size_t i) {
    return fetch_to_file(src, tree.blobs[i], paths[i], progress.get());
  }));
  if (progress) progress->finish();
  for (size_t i = 0; i < tree.blobs.size(); ++i) {
    DISTILL_TRY(writer.add_blob_file(tree.blobs[i].media_type, paths[i], oci::BlobTransfer::kMove,
                                     &tree.blobs[i]));
  }
  for (const auto& node : tree.manifests) {
    DISTILL_TRY(writer.add_blob(node.descriptor.media_type, node.body));
  }
  DISTILL_TRY(writer.add_to_index(tree.manifests.back().descriptor, tag));
  return writer.commit();
}

core::Status write_archive(oci::ImageReader& src, const oci::Descriptor& manifest,
                           const std::string& out, const std::vector<std::string>& repo_tags,
                           int parallel, bool show_progress) {
  if (!oci::is_manifest_media_type(manifest.media_type))
    return core::make_error(manifest.digest.str(),
                            "is an image index; a docker-archive holds one platform",
                            "choose one with --platform os/arch");
  DISTILL_ASSIGN(std::string body, src.read_blob(manifest, kMaxMetadata));
  DISTILL_ASSIGN(oci::Manifest m, oci::parse_manifest(body, manifest.digest.str()));
  DISTILL_ASSIGN(std::string config_json, src.read_blob(m.config, kMaxMetadata));
  oci::Image image;
  DISTILL_ASSIGN(image.config, oci::parse_image_config(config_json, m.config.digest.str()));
  if (image.config.diff_ids.size() != m.layers.size())
    return core::make_error(manifest.digest.str(), "manifest and config disagree on the layers");
  auto slash = out.rfind('/');
  DISTILL_ASSIGN(core::TempDir scratch,
                 core::TempDir::create(slash == std::string::npos ? "." : out.substr(0, slash),
                                       ".distill-pull"));
  for (size_t i = 0; i < m.layers.size(); ++i) {
    oci::LayerBlob blob;
    blob.diff_id = image.config.diff_ids[i];
    blob.digest = m.layers[i].digest;
    blob.size = m.layers[i].size;
    blob.media_type = m.layers[i].media_type;
    blob.path = scratch.path() + "/" + std::to_string(i);
    image.layers.push_back(std::move(blob));
  }
  auto progress = make_progress(show_progress, "Pulling", m.layers);
  DISTILL_TRY(core::run_parallel(m.layers.size(), reader_threads(src, parallel), [&](size_t i) {
    return fetch_to_file(src, m.layers[i], image.layers[i].path, progress.get());
  }));
  if (progress) progress->finish();
  return oci::write_docker_archive(out, {image}, repo_tags);
}

}  // namespace distill::registry
