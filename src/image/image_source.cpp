#include "image/image_source.hpp"

#include <algorithm>

#include "core/strings.hpp"
#include "oci/media_types.hpp"
#include "oci/platform.hpp"

namespace distill::image {

core::Result<std::unique_ptr<ImageSource>> ImageSource::open(
    std::unique_ptr<oci::ImageReader> reader, SourceName name) {
  std::unique_ptr<ImageSource> s(new ImageSource());
  s->name_ = std::move(name);
  s->reader_ = std::move(reader);
  DISTILL_TRY(s->load());
  return s;
}

bool ImageSource::tag_matches(const std::vector<std::string>& ref_names) const {
  if (name_.tag.empty()) return true;
  return std::find(ref_names.begin(), ref_names.end(), name_.tag) != ref_names.end();
}

core::Status ImageSource::load() {
  DISTILL_ASSIGN(all_images_, reader_->images());
  const oci::Index& top = reader_->index();
  std::vector<std::string> all_tags;
  for (size_t i = 0; i < top.manifests.size(); ++i) {
    std::vector<std::string> refs = reader_->ref_names(i);
    all_tags.insert(all_tags.end(), refs.begin(), refs.end());
    if (!tag_matches(refs)) continue;
    const oci::Descriptor& d = top.manifests[i];
    auto same = [&](const oci::Descriptor& t) { return t.digest == d.digest; };
    if (std::find_if(tops_.begin(), tops_.end(), same) != tops_.end()) {
      for (auto& idx : indexes_)
        if (idx.descriptor.digest == d.digest)
          idx.ref_names.insert(idx.ref_names.end(), refs.begin(), refs.end());
      continue;
    }
    tops_.push_back(d);
    if (!oci::is_index_media_type(d.media_type)) continue;
    IndexSummary summary;
    summary.descriptor = d;
    summary.ref_names = refs;
    DISTILL_ASSIGN(std::string text, reader_->read_blob(d, reader_->limits().max_metadata_size));
    DISTILL_ASSIGN(summary.index, oci::parse_index(text, d.digest.str()));
    indexes_.push_back(std::move(summary));
  }
  for (const auto& img : all_images_) {
    if (!tag_matches(img.ref_names)) continue;
    auto same = [&](const oci::PlatformImage& o) {
      return o.manifest_descriptor.digest == img.manifest_descriptor.digest;
    };
    auto it = std::find_if(images_.begin(), images_.end(), same);
    if (it == images_.end()) {
      images_.push_back(img);
      continue;
    }
    for (const auto& name : img.ref_names)
      if (std::find(it->ref_names.begin(), it->ref_names.end(), name) == it->ref_names.end())
        it->ref_names.push_back(name);
  }
  for (auto& idx : indexes_) std::sort(idx.ref_names.begin(), idx.ref_names.end());
  for (auto& img : images_) std::sort(img.ref_names.begin(), img.ref_names.end());
  if (images_.empty() && !name_.tag.empty()) {
    std::sort(all_tags.begin(), all_tags.end());
    all_tags.erase(std::unique(all_tags.begin(), all_tags.end()), all_tags.end());
    std::string list = core::join(all_tags, ", ");
    return core::make_error(name_.where, "has no image tagged '" + name_.tag + "'",
                            list.empty() ? "it has no tags" : "its tags: " + list);
  }
  if (images_.empty()) return core::make_error(name_.where, "holds no image", "its index is empty");
  return core::Status::Ok();
}

core::Result<std::vector<const oci::PlatformImage*>> ImageSource::select_platform(
    std::string_view filter) const {
  std::vector<const oci::PlatformImage*> out;
  if (filter.empty()) {
    for (const auto& img : images_) out.push_back(&img);
    return out;
  }
  DISTILL_ASSIGN(oci::Platform want, oci::parse_platform(filter));
  std::string available;
  for (const auto& img : images_) {
    const oci::Platform& p = img.config.platform;
    available += (available.empty() ? "" : ", ") + p.str();
    if (oci::platform_matches(p, want)) out.push_back(&img);
  }
  if (out.empty())
    return core::make_error(name_.text, "has no image for platform " + std::string(filter),
                            "it has: " + available);
  return out;
}

}  // namespace distill::image
