#include "registry/copy.hpp"

#include "core/file_util.hpp"
#include "oci/layout_writer.hpp"
#include "oci/media_types.hpp"
#include "registry/blob_hints.hpp"
#include "registry/reference.hpp"
#include "registry/registry_reader.hpp"
#include "registry/transfer.hpp"

namespace distill::registry {
namespace {

bool is_registry_text(std::string_view text) {
  return !text.starts_with("oci:") && !text.starts_with("docker-archive:") &&
         !core::path_exists(std::string(text)) && looks_like_reference(text);
}

struct LocalTarget {
  bool archive = false;
  std::string path;
  std::string tag;
};

core::Result<LocalTarget> parse_local(std::string_view text, const std::string& format) {
  LocalTarget t;
  if (text.starts_with("oci:")) {
    text.remove_prefix(4);
    size_t colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      t.tag = std::string(text.substr(colon + 1));
      text = text.substr(0, colon);
    }
  } else if (text.starts_with("docker-archive:")) {
    text.remove_prefix(15);
    t.archive = true;
    size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
      t.tag = std::string(text.substr(colon + 1));
      text = text.substr(0, colon);
    }
  } else if (format == "docker") {
    t.archive = true;
  } else if (!format.empty() && format != "oci") {
    return core::make_error("--format", "unknown format '" + format + "'", "oci or docker");
  }
  if (text.empty()) return core::make_error("destination", "names no path");
  t.path = std::string(text);
  if (!t.tag.empty()) DISTILL_TRY(oci::validate_ref_name(t.tag));
  return t;
}

// The name a local copy records: the destination's own, else the source's tag.
std::string source_tag(image::ImageSource& src) {
  const auto& refs = src.reader().index().manifests;
  if (refs.size() == 1) {
    auto it = refs[0].annotations.find(std::string(oci::kAnnotationRefName));
    if (it != refs[0].annotations.end()) return it->second;
  }
  return "latest";
}

core::Status write_local(image::ImageSource& src, const oci::Descriptor& top, const LocalTarget& t,
                         const CopyOptions& options) {
  std::string tag = t.tag.empty() ? source_tag(src) : t.tag;
  if (!t.archive)
    return write_layout(src.reader(), top, t.path, tag, options.parallel, options.progress);
  std::vector<std::string> tags;
  if (!t.tag.empty()) {
    tags.push_back(t.tag);
  } else if (src.ref().format == image::SourceFormat::kRegistry) {
    // A reference by digest alone gives the archive no tag.
    auto ref = parse_reference(src.ref().text);
    if (ref.ok() && (!ref->tag.empty() || ref->digest.empty()))
      tags.push_back(ref->name() + ":" + ref->identifier());
  }
  return write_archive(src.reader(), top, t.path, tags, options.parallel, options.progress);
}

core::Result<CopyResult> push_to(image::ImageSource& src, const oci::Descriptor& top,
                                 std::string_view dst, const CopyOptions& options) {
  DISTILL_ASSIGN(Reference ref, parse_reference(dst));
  if (!ref.digest.empty() && ref.digest != top.digest.str())
    return core::make_error(std::string(dst),
                            "names digest " + ref.digest + " but the image is " + top.digest.str());
  DISTILL_ASSIGN(auto remote, Remote::connect(ref.registry, options.remote));
  DISTILL_ASSIGN(BlobHints hints, BlobHints::load(options.hints_path));
  PushOptions push;
  push.parallel = options.parallel;
  push.hints = &hints;
  push.progress = options.progress;
  if (src.reader().kind() == oci::ImageSourceKind::kRegistry) {
    auto& from = static_cast<RegistryReader&>(src.reader()).reference();
    if (from.registry == ref.registry) push.mount_from = from.repository;
  }
  Client& client = remote->client();
  DISTILL_ASSIGN(oci::Descriptor pushed, push_image(src.reader(), top, client, ref, push));
  CopyResult r;
  r.destination = ref.name() + (ref.tag.empty() ? "" : ":" + ref.tag);
  r.top = pushed;
  r.uploaded = client.stats().uploaded;
  r.mounted = client.stats().mounted;
  r.skipped = client.stats().skipped;
  return r;
}

}  // namespace

core::Result<std::unique_ptr<image::ImageSource>> open_source(std::string_view text,
                                                              const RemoteOptions& options) {
  if (!is_registry_text(text)) return image::ImageSource::open(text);
  DISTILL_ASSIGN(auto reader, open_registry_reader(text, options));
  return image::ImageSource::from_reader(text, image::SourceFormat::kRegistry, std::move(reader));
}

core::Result<CopyResult> copy_image(std::string_view src_text, std::string_view dst,
                                    const CopyOptions& options) {
  DISTILL_ASSIGN(auto src, open_source(src_text, options.remote));
  const auto& tops = src->tops();
  if (tops.size() != 1)
    return core::make_error(std::string(src_text),
                            "holds " + std::to_string(tops.size()) + " images",
                            "name one with DIR:TAG or docker-archive:FILE:NAME:TAG");
  DISTILL_ASSIGN(oci::Descriptor top, select_platform(src->reader(), tops[0], options.platform));
  if (!options.local_destination && is_registry_text(dst)) return push_to(*src, top, dst, options);
  DISTILL_ASSIGN(LocalTarget target, parse_local(dst, options.format));
  DISTILL_TRY(write_local(*src, top, target, options));
  CopyResult r;
  r.destination = target.path;
  r.top = top;
  return r;
}

}  // namespace distill::registry
