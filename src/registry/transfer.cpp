#include "registry/transfer.hpp"

#include <algorithm>
#include <memory>
#include <optional>

#include "core/progress.hpp"
#include "core/thread_pool.hpp"
#include "oci/image_tree.hpp"
#include "registry/blob_stream.hpp"

namespace distill::registry {
namespace {

// A bar over `blobs` when asked for (a terminal), else nothing.
std::unique_ptr<core::Progress> make_progress(bool wanted, const char* label,
                                              const std::vector<oci::Descriptor>& blobs) {
  if (!wanted) return nullptr;
  uint64_t bytes = 0;
  for (const auto& b : blobs) bytes += static_cast<uint64_t>(std::max<int64_t>(b.size, 0));
  return std::make_unique<core::Progress>(label, blobs.size(), bytes);
}

// A blob the registry already has is not read again, so its descriptor
// must agree with the registry's copy, as a pull would check it.
core::Status check_remote_size(Client& dst, const Reference& ref, const oci::Descriptor& b,
                               std::optional<int64_t> size) {
  if (!size || *size < 0 || *size == b.size) return core::Status::Ok();
  return core::make_error(dst.registry() + "/" + ref.repository,
                          "blob " + b.digest.str() + " is " + std::to_string(*size) +
                              " bytes on the registry, its descriptor says " +
                              std::to_string(b.size),
                          "the image's manifest is wrong; a pull of it would fail")
      .with_code(core::ErrorCode::kIntegrity);
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
  DISTILL_ASSIGN(std::optional<int64_t> there, dst.blob_size(ref.repository, b.digest));
  if (there) {
    DISTILL_TRY(check_remote_size(dst, ref, b, there));
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
    if (!mounted) continue;
    DISTILL_ASSIGN(std::optional<int64_t> size, dst.blob_size(ref.repository, b.digest));
    DISTILL_TRY(check_remote_size(dst, ref, b, size));
    return done_without_upload();
  }
  BlobStream body(src, b, progress);
  DISTILL_TRY(dst.upload_blob(ref.repository, b.digest, body));
  if (progress) progress->item_done();
  return core::Status::Ok();
}

}  // namespace

core::Result<oci::Descriptor> push_image(oci::ImageReader& src, const oci::Descriptor& top,
                                         Client& dst, const Reference& ref,
                                         const PushOptions& options) {
  DISTILL_ASSIGN(oci::ImageTree tree, oci::read_tree(src, top));
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
  // Children by digest first, so that the top (last) is only accepted once
  // all it references is there; the top by its tag alone when there is one:
  // the registry serves it by digest from that same PUT.
  for (size_t i = 0; i < tree.manifests.size(); ++i) {
    const auto& node = tree.manifests[i];
    bool by_tag = i + 1 == tree.manifests.size() && !ref.tag.empty();
    DISTILL_TRY(dst.put_manifest(ref.repository, by_tag ? ref.tag : node.descriptor.digest.str(),
                                 node.descriptor.media_type, node.body));
  }
  return top;
}

}  // namespace distill::registry
