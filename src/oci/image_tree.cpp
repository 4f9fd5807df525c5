#include "oci/image_tree.hpp"

#include <set>

#include "oci/image_config.hpp"
#include "oci/media_types.hpp"
#include "oci/platform.hpp"

namespace distill::oci {
namespace {

core::Status walk(ImageReader& src, const Descriptor& d, int depth, ImageTree& tree,
                  std::set<Digest>& seen_blobs) {
  if (depth > src.limits().max_index_depth)
    return core::make_error(d.digest.str(), "image indexes are nested too deeply");
  for (const auto& n : tree.manifests)
    if (n.descriptor.digest == d.digest) return core::Status::Ok();
  DISTILL_ASSIGN(std::string body, src.read_blob(d, src.limits().max_metadata_size));
  if (is_index_media_type(d.media_type)) {
    DISTILL_ASSIGN(Index index, parse_index(body, d.digest.str()));
    for (const auto& m : index.manifests) {
      if (!is_manifest_media_type(m.media_type) && !is_index_media_type(m.media_type))
        return core::make_error(
            d.digest.str(),
            "index lists " + m.digest.str() + " of unsupported media type '" + m.media_type + "'");
      DISTILL_TRY(walk(src, m, depth + 1, tree, seen_blobs));
    }
  } else if (is_manifest_media_type(d.media_type)) {
    DISTILL_ASSIGN(Manifest m, parse_manifest(body, d.digest.str()));
    auto add = [&](const Descriptor& b) {
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

core::Result<Descriptor> select_in_manifest(ImageReader& src, const Descriptor& top,
                                            const std::string& body, const Platform& want,
                                            std::string_view platform) {
  const int64_t max = src.limits().max_metadata_size;
  DISTILL_ASSIGN(Manifest m, parse_manifest(body, top.digest.str()));
  DISTILL_ASSIGN(std::string config_json, src.read_blob(m.config, max));
  DISTILL_ASSIGN(ImageConfig config, parse_image_config(config_json, m.config.digest.str()));
  if (platform_matches(config.platform, want)) return top;
  return core::make_error(top.digest.str(), "has no image for platform " + std::string(platform),
                          "it is " + config.platform.str());
}

}  // namespace

core::Result<ImageTree> read_tree(ImageReader& src, const Descriptor& top) {
  ImageTree tree;
  std::set<Digest> seen;
  DISTILL_TRY(walk(src, top, 0, tree, seen));
  return tree;
}

core::Result<Descriptor> select_platform(ImageReader& src, const Descriptor& top,
                                         std::string_view platform) {
  if (platform.empty()) return top;
  DISTILL_ASSIGN(Platform want, parse_platform(platform));
  DISTILL_ASSIGN(std::string body, src.read_blob(top, src.limits().max_metadata_size));
  if (is_manifest_media_type(top.media_type))
    return select_in_manifest(src, top, body, want, platform);
  DISTILL_ASSIGN(Index index, parse_index(body, top.digest.str()));
  std::string available;
  for (const auto& m : index.manifests) {
    if (!m.platform) continue;
    available += (available.empty() ? "" : ", ") + m.platform->str();
    if (platform_matches(*m.platform, want) && is_manifest_media_type(m.media_type)) return m;
  }
  return core::make_error(
      top.digest.str(), "has no image for platform " + std::string(platform),
      available.empty() ? "its index names no platforms" : "it has: " + available);
}

}  // namespace distill::oci
