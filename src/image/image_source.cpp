#include "image/image_source.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/strings.hpp"
#include "oci/docker_archive.hpp"
#include "oci/docker_archive_reader.hpp"
#include "oci/layout_reader.hpp"
#include "oci/media_types.hpp"
#include "oci/platform.hpp"
#include "registry/reference.hpp"
#include "registry/registry_reader.hpp"

namespace distill::image {
namespace {

constexpr const char* kRefHint =
    "give an OCI layout folder (DIR, DIR:TAG or oci:DIR[:TAG]) or a docker-archive tar "
    "(FILE or docker-archive:FILE)";

enum class PathKind { kMissing, kFolder, kFile, kOther };

struct Probe {
  PathKind kind = PathKind::kMissing;
  int error = 0;  // errno when kMissing
};

Probe probe(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {PathKind::kMissing, errno};
  if (S_ISDIR(st.st_mode)) return {PathKind::kFolder, 0};
  if (S_ISREG(st.st_mode)) return {PathKind::kFile, 0};
  return {PathKind::kOther, 0};
}

core::Error missing(const std::string& path, int error) {
  if (error == ENOENT || error == ENOTDIR || error == 0)
    return core::make_error(path, "no such file or folder", kRefHint);
  return core::make_error(path, std::strerror(error), kRefHint);
}

// "PATH" or "PATH:TAG" where PATH must exist. `rightmost` splits at the last
// colon (layout tags have none), otherwise at the first colon after which the
// prefix exists (docker-archive tags are "name:tag").
bool split_existing(std::string_view text, bool rightmost, PathKind want, std::string& path,
                    std::string& tag) {
  if (rightmost) {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string prefix(text.substr(0, colon));
    if (probe(prefix).kind != want) return false;
    path = std::move(prefix);
    tag = std::string(text.substr(colon + 1));
    return true;
  }
  for (size_t colon = text.find(':'); colon != std::string_view::npos;
       colon = text.find(':', colon + 1)) {
    if (colon == 0) continue;
    std::string prefix(text.substr(0, colon));
    if (probe(prefix).kind != want) continue;
    path = std::move(prefix);
    tag = std::string(text.substr(colon + 1));
    return true;
  }
  return false;
}

// docker-archive RepoTags are stored normalised ("app" is "app:latest").
core::Status normalize_tag(ImageRef& r) {
  if (r.tag.empty() || r.format != SourceFormat::kDockerArchive) return core::Status::Ok();
  DISTILL_ASSIGN(r.tag, oci::normalize_repo_tag(r.tag));
  return core::Status::Ok();
}

core::Result<ImageRef> explicit_ref(std::string_view text, std::string_view rest,
                                    SourceFormat format) {
  ImageRef r;
  r.text = std::string(text);
  r.format = format;
  const bool oci = format == SourceFormat::kOciLayout;
  const PathKind want = oci ? PathKind::kFolder : PathKind::kFile;
  if (rest.empty()) return core::make_error(r.text, "names no path", kRefHint);
  Probe whole = probe(std::string(rest));
  if (whole.kind == PathKind::kMissing && !split_existing(rest, oci, want, r.path, r.tag))
    return missing(std::string(rest), whole.error);
  if (r.path.empty()) r.path = std::string(rest);
  PathKind kind = probe(r.path).kind;
  if (oci && kind != PathKind::kFolder)
    return core::make_error(r.path, "is not a folder",
                            "an OCI layout is a folder; read a tar with docker-archive:FILE");
  if (!oci && kind != PathKind::kFile)
    return core::make_error(r.path, "is not a file",
                            "a docker-archive is a tar file; read a folder with oci:DIR");
  if (r.tag.empty() && rest.back() == ':')
    return core::make_error(r.text, "empty tag after ':'", kRefHint);
  DISTILL_TRY(normalize_tag(r));
  return r;
}

}  // namespace

std::string_view source_format_name(SourceFormat f) {
  switch (f) {
    case SourceFormat::kOciLayout:
      return "oci-layout";
    case SourceFormat::kDockerArchive:
      return "docker-archive";
    case SourceFormat::kRegistry:
      return "registry";
  }
  return "oci-layout";
}

core::Result<ImageRef> parse_image_ref(std::string_view text) {
  if (text.starts_with("oci:")) return explicit_ref(text, text.substr(4), SourceFormat::kOciLayout);
  if (text.starts_with("docker-archive:"))
    return explicit_ref(text, text.substr(15), SourceFormat::kDockerArchive);
  ImageRef r;
  r.text = std::string(text);
  if (text.empty()) return core::make_error("image", "no image given", kRefHint);
  Probe whole = probe(r.text);
  switch (whole.kind) {
    case PathKind::kFolder:
      r.path = r.text;
      r.format = SourceFormat::kOciLayout;
      return r;
    case PathKind::kFile:
      r.path = r.text;
      r.format = SourceFormat::kDockerArchive;
      return r;
    case PathKind::kOther:
      return core::make_error(r.text, "is neither a folder nor a regular file", kRefHint);
    case PathKind::kMissing:
      break;
  }
  if (split_existing(text, true, PathKind::kFolder, r.path, r.tag)) {
    r.format = SourceFormat::kOciLayout;
  } else if (split_existing(text, false, PathKind::kFile, r.path, r.tag)) {
    r.format = SourceFormat::kDockerArchive;
  } else {
    return missing(r.text, whole.error);
  }
  if (r.tag.empty()) return core::make_error(r.text, "empty tag after ':'", kRefHint);
  DISTILL_TRY(normalize_tag(r));
  return r;
}

core::Result<std::unique_ptr<ImageSource>> ImageSource::open(std::string_view text,
                                                             const oci::ReaderLimits& limits) {
  auto parsed = parse_image_ref(text);
  if (!parsed.ok() && registry::looks_like_reference(text)) {
    DISTILL_ASSIGN(auto reader, registry::open_registry_reader(text, {}, limits));
    return from_reader(text, SourceFormat::kRegistry, std::move(reader), limits);
  }
  std::unique_ptr<ImageSource> s(new ImageSource());
  DISTILL_ASSIGN(s->ref_, std::move(parsed));
  s->limits_ = limits;
  const std::string& path = s->ref_.path;
  if (s->ref_.format == SourceFormat::kOciLayout) {
    // Say what is wrong with a random folder rather than "oci-layout: No such file".
    struct stat st {};
    if (::lstat((path + "/oci-layout").c_str(), &st) != 0 && errno == ENOENT)
      return core::make_error(path, "is not an OCI image layout (it has no oci-layout file)",
                              "give the folder `distill build` or `skopeo copy ... oci:DIR` wrote");
    DISTILL_ASSIGN(auto reader, oci::LayoutReader::open(path, limits));
    s->reader_ = std::move(reader);
  } else {
    DISTILL_ASSIGN(auto reader, oci::DockerArchiveReader::open(path, limits));
    s->reader_ = std::move(reader);
  }
  DISTILL_TRY(s->load());
  return s;
}

core::Result<std::unique_ptr<ImageSource>> ImageSource::from_reader(
    std::string_view text, SourceFormat format, std::unique_ptr<oci::ImageReader> reader,
    const oci::ReaderLimits& limits) {
  std::unique_ptr<ImageSource> s(new ImageSource());
  s->ref_.text = std::string(text);
  s->ref_.format = format;
  s->ref_.path = std::string(text);
  s->limits_ = limits;
  s->reader_ = std::move(reader);
  DISTILL_TRY(s->load());
  return s;
}

std::vector<std::string> ImageSource::top_ref_names(size_t i) const {
  const oci::Descriptor& d = reader_->index().manifests.at(i);
  if (ref_.format != SourceFormat::kDockerArchive) {
    auto it = d.annotations.find(std::string(oci::kAnnotationRefName));
    if (it == d.annotations.end()) return {};
    return {it->second};
  }
  // A docker-archive's names are its RepoTags, which the reader attached to
  // the image it synthesised for this entry.
  for (const auto& img : all_images_)
    if (img.manifest_descriptor.digest == d.digest) return img.ref_names;
  return {};
}

bool ImageSource::tag_matches(const std::vector<std::string>& ref_names) const {
  if (ref_.tag.empty()) return true;
  return std::find(ref_names.begin(), ref_names.end(), ref_.tag) != ref_names.end();
}

core::Status ImageSource::load() {
  DISTILL_ASSIGN(all_images_, reader_->images());
  const oci::Index& top = reader_->index();
  std::vector<std::string> all_tags;
  for (size_t i = 0; i < top.manifests.size(); ++i) {
    std::vector<std::string> refs = top_ref_names(i);
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
    DISTILL_ASSIGN(std::string text, reader_->read_blob(d, limits_.max_metadata_size));
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
  if (images_.empty() && !ref_.tag.empty()) {
    std::sort(all_tags.begin(), all_tags.end());
    all_tags.erase(std::unique(all_tags.begin(), all_tags.end()), all_tags.end());
    std::string list = core::join(all_tags, ", ");
    return core::make_error(ref_.path, "has no image tagged '" + ref_.tag + "'",
                            list.empty() ? "it has no tags" : "its tags: " + list);
  }
  if (images_.empty()) return core::make_error(ref_.path, "holds no image", "its index is empty");
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
    if (p.os == want.os && p.architecture == want.architecture &&
        (want.variant.empty() || p.variant == want.variant))
      out.push_back(&img);
  }
  if (out.empty())
    return core::make_error(ref_.text, "has no image for platform " + std::string(filter),
                            "it has: " + available);
  return out;
}

}  // namespace distill::image
